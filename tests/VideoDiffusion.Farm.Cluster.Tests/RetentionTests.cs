using System.Net;
using System.Net.Http.Json;
using VideoDiffusion.Farm.Abstractions.Api;

namespace VideoDiffusion.Farm.Cluster.Tests;

/// <summary>What the farm deletes: checkpoints once the video exists, a stopped job's latents, and expired jobs whole.</summary>
[Collection(ClusterCollection.Name)]
public sealed class RetentionTests(FarmCluster cluster)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task CheckpointsAreDeletedOnceTheJobsVideoIsStored()
    {
        using var http = cluster.Client(FarmCluster.Keys["tenant-c"]);
        var job = await FarmJobs.SubmitAsync(http, new { prompt = "a red ball moving right on the beach", seconds = 8, steps = 6, scale = 1 });
        var checkpointed = await FarmJobs.WaitAsync(http, job.Id, TimeSpan.FromMinutes(3), j => j.IsFinished || j.Progress >= 0.5, every: TimeSpan.FromMilliseconds(100));
        var seen = await StoredAsync(job.Id);
        var done = await FarmJobs.WaitAsync(http, job.Id, TimeSpan.FromMinutes(3));
        Assert.True(done.State == "completed", $"{done.State}: {done.Error}");
        Assert.True(checkpointed.IsFinished || seen.Any(IsCheckpoint) || (await StoredAsync(job.Id)).Any(IsCheckpoint),
            $"no checkpoint was ever stored, so their deletion proves nothing: {string.Join(", ", seen)}");

        var left = await Poll.UntilAsync(() => StoredAsync(job.Id), keys => !keys.Any(IsCheckpoint), TimeSpan.FromSeconds(30),
            TimeSpan.FromMilliseconds(500), keys => "checkpoints left after completion: " + string.Join(", ", keys ?? []));
        Assert.Contains($"jobs/{job.Id}/video.mp4", left);
        Assert.Contains(left, k => k.EndsWith("/final.bin", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CancelledJobsLatentsAreDeleted()
    {
        using var http = cluster.Client(FarmCluster.Keys["tenant-c"]);
        var job = await FarmJobs.SubmitAsync(http, new { prompt = "a blue dog moving left on the moon", seconds = 30, steps = 12, scale = 1 });
        await Poll.UntilAsync(() => StoredAsync(job.Id), keys => keys.Any(IsCheckpoint), TimeSpan.FromMinutes(3), TimeSpan.FromMilliseconds(200),
            keys => "no checkpoint stored: " + string.Join(", ", keys ?? []));
        using (var cancel = await http.PostAsync($"v1/jobs/{job.Id}:cancel", null))
        {
            Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        }
        await Poll.UntilAsync(() => StoredAsync(job.Id), keys => !keys.Any(k => IsCheckpoint(k) || k.EndsWith("/final.bin", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(500), keys => "latents left after cancel: " + string.Join(", ", keys ?? []));
        Assert.Equal("cancelled", (await http.GetFromJsonAsync<JobView>($"v1/jobs/{job.Id}", ApiJson.Options))!.State);
    }

    [Fact]
    public async Task ExpiredJobsLeaveTheListTheirVideoAnswers404AndNothingIsStored()
    {
        // a cluster of its own on the fixture's Redis and Azurite, whose jobs live seconds
        var suffix = Guid.NewGuid().ToString("N")[..8];
        string[] settings = [$"--Farm:ServiceId=retention-{suffix}"];
        var clusterId = $"retention-{suffix}";
        var (silo, _, _) = await cluster.LaunchSiloAsync(clusterId, "retention-silo-0",
            [.. settings, $"--Farm:Retention:CompletedJobLifetime={Lifetime:c}", $"--Farm:Retention:StoppedJobLifetime={Lifetime:c}"]);
        await using (silo)
        await using (var gateway = await cluster.LaunchServingGatewayAsync(clusterId, settings))
        {
            using var http = cluster.Client(FarmCluster.Keys["tenant-a"], gateway.Port);
            var completed = await FarmJobs.SubmitAsync(http, new { prompt = "a red cube standing still in space", seconds = 2, steps = 2, scale = 1 });
            var cancelled = await FarmJobs.SubmitAsync(http, new { prompt = "a green ball moving right on the grass", seconds = 30, steps = 12, scale = 1 });
            using (var cancel = await http.PostAsync($"v1/jobs/{cancelled.Id}:cancel", null))
            {
                Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
            }
            var done = await FarmJobs.WaitAsync(http, completed.Id, TimeSpan.FromMinutes(2));
            Assert.True(done.State == "completed", $"{done.State}: {done.Error}");
            using (var video = await http.GetAsync(done.Video!.TrimStart('/')))
            {
                Assert.Equal(HttpStatusCode.OK, video.StatusCode);
            }
            Assert.Contains(completed.Id, await JobIdsAsync(http));

            await Poll.UntilAsync(() => JobIdsAsync(http), ids => !ids.Contains(completed.Id) && !ids.Contains(cancelled.Id), TimeSpan.FromSeconds(90),
                TimeSpan.FromSeconds(1), ids => "expired jobs still listed: " + string.Join(", ", ids ?? []));
            await ProblemAnswers.AssertAsync(await http.GetAsync($"v1/jobs/{completed.Id}/video"), HttpStatusCode.NotFound, "id");
            await ProblemAnswers.AssertAsync(await http.GetAsync($"v1/jobs/{cancelled.Id}"), HttpStatusCode.NotFound, "id");
            await Poll.UntilAsync(async () => (await StoredAsync(completed.Id)).Concat(await StoredAsync(cancelled.Id)).ToList(), keys => keys.Count == 0,
                TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(500), keys => "artifacts left after expiry: " + string.Join(", ", keys ?? []));
        }
    }

    private static bool IsCheckpoint(string key) => key[(key.LastIndexOf('/') + 1)..].StartsWith("checkpoint-", StringComparison.Ordinal);

    private async Task<IReadOnlyList<string>> StoredAsync(string jobId) => await cluster.Artifacts.ListAsync($"jobs/{jobId}/");

    private static async Task<List<string>> JobIdsAsync(HttpClient http) =>
        (await http.GetFromJsonAsync<JobListView>("v1/jobs", ApiJson.Options))!.Jobs.Select(j => j.Id).ToList();
}
