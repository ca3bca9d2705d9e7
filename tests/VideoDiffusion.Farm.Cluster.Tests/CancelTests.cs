using System.Net;
using System.Net.Http.Json;
using VideoDiffusion.Farm.Abstractions.Api;

namespace VideoDiffusion.Farm.Cluster.Tests;

/// <summary>Cancelling through the gateway: it answers while a silo holding windows is gone, and a job cancelled while stitching stores no video.</summary>
[Collection(ClusterCollection.Name)]
public sealed class CancelTests(FarmCluster cluster)
{
    [Fact]
    public async Task CancelAnswersWhileASiloHoldingWindowsIsDownAndTheJobEndsCancelled()
    {
        using var http = cluster.Client(FarmCluster.Keys["tenant-c"]);
        var job = await FarmJobs.SubmitAsync(http, new { prompt = "a green ball moving left on the grass", seconds = 30, steps = 12, scale = 1 });
        var host = await cluster.JobGrainSiloAsync(job.Id);
        int? holder = null;
        var running = await FarmJobs.WaitAsync(http, job.Id, TimeSpan.FromMinutes(3), j => j.IsFinished || holder is not null,
            polled: async j => holder = j.Phase == "main" && j.Progress >= 0.3 ? await cluster.SiloRunningWindowsOfAsync(http, job.Id, except: host) : null);
        Assert.False(running.IsFinished, "the job finished before a silo holding its windows could be killed: make it longer");
        var victim = holder!.Value;
        cluster.KillSilo(victim);
        try
        {
            // an Orleans call to a window on the dead silo waits 30 s for its answer; the cancel must not wait for it. A
            // grain the cancel reads (the tenant's) may itself be on the dead silo until the cluster declares it dead:
            // then the answer is a 503 with Retry-After, and a client that honours it gets its 202
            using var quick = cluster.Client(FarmCluster.Keys["tenant-c"]);
            quick.Timeout = TimeSpan.FromSeconds(15);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (true)
            {
                using var cancel = await quick.PostAsync($"v1/jobs/{job.Id}:cancel", null);
                if (cancel.StatusCode == HttpStatusCode.ServiceUnavailable && cancel.Headers.RetryAfter?.Delta is { } wait && clock.Elapsed < TimeSpan.FromMinutes(1))
                {
                    await Task.Delay(wait);
                    continue;
                }
                Assert.True(cancel.StatusCode == HttpStatusCode.Accepted, $"{(int)cancel.StatusCode}: {await cancel.Content.ReadAsStringAsync()}");
                break;
            }
            var done = await FarmJobs.WaitAsync(http, job.Id, TimeSpan.FromMinutes(1));
            Assert.Equal("cancelled", done.State);
        }
        finally
        {
            await cluster.StartSiloAsync(victim);
            // whatever happened above, the job does not hold the tenant's budget for the tests that follow
            using var _ = await http.PostAsync($"v1/jobs/{job.Id}:cancel", null);
        }
    }

    [Fact]
    public async Task AJobCancelledWhileStitchingStoresNoVideoAndEndsCancelled()
    {
        using var http = cluster.Client(FarmCluster.Keys["tenant-c"]);
        // few steps and a large picture: the denoising is short and the stitch (decode, upscale, encode) long
        var job = await FarmJobs.SubmitAsync(http, new { prompt = "a yellow dog walking right on the moon", seconds = 60, steps = 2, scale = 12 });
        var stitching = await FarmJobs.WaitAsync(http, job.Id, TimeSpan.FromMinutes(3), j => j.IsFinished || j.State == "stitching",
            every: TimeSpan.FromMilliseconds(25));
        Assert.False(stitching.IsFinished, $"the job ended {stitching.State} before its stitch was seen: make the stitch longer");
        using (var cancel = await http.PostAsync($"v1/jobs/{job.Id}:cancel", null))
        {
            Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        }
        var done = await FarmJobs.WaitAsync(http, job.Id, TimeSpan.FromMinutes(1));
        Assert.Equal("cancelled", done.State);
        await ProblemAnswers.AssertAsync(await http.GetAsync($"v1/jobs/{job.Id}/video"), HttpStatusCode.Conflict, "id");
        // the stitcher stops at its next frame; give it time to have written anything it still would
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.DoesNotContain(await cluster.Artifacts.ListAsync($"jobs/{job.Id}/"), k => k.Contains("video", StringComparison.Ordinal));
        Assert.Equal("cancelled", (await http.GetFromJsonAsync<JobView>($"v1/jobs/{job.Id}", ApiJson.Options))!.State);
    }
}
