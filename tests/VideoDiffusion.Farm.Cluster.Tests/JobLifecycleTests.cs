using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using VideoDiffusion.Farm.Abstractions.Api;

namespace VideoDiffusion.Farm.Cluster.Tests;

/// <summary>Jobs through the gateway on the process cluster: complete, equal the reference render, survive failures.</summary>
[Collection(ClusterCollection.Name)]
public sealed class JobLifecycleTests(FarmCluster cluster)
{
    private const string Prompt = "Bluey walking on the moon after coming out of the spaceship";
    private const string FailurePrompt = "a green ball moving right on the grass";

    [Fact]
    public async Task SixtySecondJobCompletesIsStoredInAzuriteAndEqualsTheReferenceRender()
    {
        using var http = cluster.Client(FarmCluster.Keys["tenant-a"]);
        var response = await http.PostAsJsonAsync("v1/jobs", new { prompt = Prompt, seconds = 60, steps = 6 });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var job = (await response.Content.ReadFromJsonAsync<JobView>(ApiJson.Options))!;
        Assert.Equal($"/v1/jobs/{job.Id}", response.Headers.Location?.ToString());

        var done = await FarmJobs.WaitAsync(http, job.Id, TimeSpan.FromMinutes(5));
        Assert.True(done.State == "completed", $"{done.State}: {done.Error}");
        Assert.Equal(480, done.Frames);
        Assert.True(await cluster.Artifacts.ExistsAsync($"jobs/{job.Id}/video.mp4"), "the MP4 is not in Azurite");

        var downloaded = Path.Combine(Path.GetTempPath(), $"farm-cluster-{job.Id}.mp4");
        var bytes = await http.GetByteArrayAsync(done.Video!.TrimStart('/'));
        await File.WriteAllBytesAsync(downloaded, bytes);
        using var ranged = new HttpRequestMessage(HttpMethod.Get, done.Video.TrimStart('/'));
        ranged.Headers.Range = new RangeHeaderValue(100, 199);
        using var part = await http.SendAsync(ranged);
        Assert.Equal(HttpStatusCode.PartialContent, part.StatusCode);
        Assert.Equal(bytes[100..200], await part.Content.ReadAsByteArrayAsync());

        var reference = await ReferenceRenders.FileAsync("mp4", Prompt, "--seconds", "60", "--steps", "6");
        var clusterFrames = VideoFiles.FrameHashes(downloaded);
        Assert.Equal(480, clusterFrames.Count);
        Assert.Equal(VideoFiles.FrameHashes(reference), clusterFrames);
        File.Delete(downloaded);
    }

    [Fact]
    public async Task SiloKilledMidRenderLosesNothing()
    {
        await RunWithKillAsync(killJobGrainSilo: false);
    }

    [Fact]
    public async Task JobGrainSiloKilledResumesFromPersistedState()
    {
        await RunWithKillAsync(killJobGrainSilo: true);
    }

    [Fact]
    public async Task SiloStoppedWithSigtermMidRenderHandsItsWindowsOverAndNoStepIsComputedTwice()
    {
        using var http = cluster.Client(FarmCluster.Keys["tenant-a"]);
        // one pass whose windows all run from the start in step with each other: at 40 % every silo holds windows
        // mid-way (with keyframe anchors a silo's windows may all be about to finish when it stops)
        var reference = ReferenceRenders.Y4mAsync(FailurePrompt, "--seconds", "30", "--steps", "12", "--scale", "1", "--seed", "3", "--anchors", "none");
        var job = await FarmJobs.SubmitAsync(http, new { prompt = FailurePrompt, seconds = 30, steps = 12, scale = 1, format = "y4m", seed = 3, anchors = "none" });
        var host = await cluster.JobGrainSiloAsync(job.Id);
        // the victim must hold windows still running when it stops, or it has nothing to hand over
        int? victim = null;
        var midway = await FarmJobs.WaitAsync(http, job.Id, TimeSpan.FromMinutes(3), j => j.IsFinished || victim is not null,
            polled: async j => victim = j.Progress >= 0.4 ? await cluster.SiloRunningWindowsOfAsync(http, job.Id, except: host) : null);
        Assert.False(midway.IsFinished, "the job finished before a silo with running windows could be stopped: make it longer");
        // counted on the silos that stay: the stopped silo's own counts leave the sum with it
        var recomputedBefore = await cluster.SiloCounterAsync("farm_window_recomputed_steps_total", except: victim);
        var movedBefore = await cluster.SiloCounterAsync("farm_window_moves_total", except: victim);
        await cluster.TerminateSiloAsync(victim!.Value);
        try
        {
            var done = await FarmJobs.WaitAsync(http, job.Id, TimeSpan.FromMinutes(5));
            Assert.True(done.State == "completed", $"{done.State}: {done.Error}");
            var moved = await cluster.SiloCounterAsync("farm_window_moves_total", except: victim) - movedBefore;
            var recomputed = await cluster.SiloCounterAsync("farm_window_recomputed_steps_total", except: victim) - recomputedBefore;
            Console.WriteLine($"silo-{victim} stopped: {moved} windows handed over, {recomputed} window-steps recomputed");
            Assert.True(moved > 0, "no window was handed over to the other silos");
            Assert.Equal(0, recomputed);
            var video = await http.GetByteArrayAsync(done.Video!.TrimStart('/'));
            var expected = await reference;
            Assert.True(video.SequenceEqual(expected), "the video differs from the reference render");
        }
        finally
        {
            await cluster.StartSiloAsync(victim.Value);
        }
    }

    [Fact]
    public async Task RetriedSubmissionWithTheSameIdempotencyKeyReturnsTheSameJob()
    {
        using var http = cluster.Client(FarmCluster.Keys["tenant-d"]);
        var before = (await http.GetFromJsonAsync<JobListView>("v1/jobs", ApiJson.Options))!.Jobs.Count;
        var ids = new List<string>();
        for (var attempt = 0; attempt < 3; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "v1/jobs") { Content = JsonContent.Create(new { prompt = "a red cube standing still in space", seconds = 2, steps = 2 }) };
            request.Headers.Add("Idempotency-Key", "retry-me-1");
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            ids.Add((await response.Content.ReadFromJsonAsync<JobView>(ApiJson.Options))!.Id);
        }
        Assert.Single(ids.Distinct());
        Assert.Equal(before + 1, (await http.GetFromJsonAsync<JobListView>("v1/jobs", ApiJson.Options))!.Jobs.Count);
        Assert.Equal("completed", (await FarmJobs.WaitAsync(http, ids[0], TimeSpan.FromMinutes(2))).State);
    }

    [Fact]
    public async Task WatchReconnectsWhenTheGatewayRestartsMidJob()
    {
        using var http = cluster.Client(FarmCluster.Keys["tenant-b"]);
        var job = await FarmJobs.SubmitAsync(http, new { prompt = "a yellow puppy walking left on the beach", seconds = 60, steps = 12 });

        using var watch = FarmCli.Start(cluster.CliEnvironment("tenant-b"), "watch", job.Id);
        await watch.WaitForOutputAsync("progress", TimeSpan.FromMinutes(2));
        var seen = await http.GetFromJsonAsync<JobView>($"v1/jobs/{job.Id}", ApiJson.Options);
        Assert.False(seen!.IsFinished, "the job finished before the gateway could be restarted: make it longer");
        await cluster.RestartGatewayAsync(TimeSpan.FromSeconds(2));

        var watched = await watch.WaitForExitAsync(TimeSpan.FromMinutes(5));
        Assert.True(watched.ExitCode == 0, watched.Transcript);
        Assert.Contains("reconnecting", watched.Transcript);
        Assert.Contains($"{job.Id} completed", watched.Transcript);
    }

    /// <summary>
    /// A 30 s job; once a fifth of it is done, SIGKILL a silo (one hosting windows, or the one hosting the job grain).
    /// The job must complete and its video equal the reference render of the same request byte for byte.
    /// </summary>
    private async Task RunWithKillAsync(bool killJobGrainSilo)
    {
        using var http = cluster.Client(FarmCluster.Keys["tenant-a"]);
        var reference = ReferenceRenders.Y4mAsync(FailurePrompt, "--seconds", "30", "--steps", "12", "--scale", "1");
        var job = await FarmJobs.SubmitAsync(http, new { prompt = FailurePrompt, seconds = 30, steps = 12, scale = 1, format = "y4m" });

        var host = await cluster.JobGrainSiloAsync(job.Id);
        Assert.True(host >= 0, "the job grain's silo is not one of the cluster's processes");
        var victim = killJobGrainSilo ? host : Enumerable.Range(0, cluster.SiloCount).First(i => i != host && cluster.IsRunning(i));
        var midway = await FarmJobs.WaitAsync(http, job.Id, TimeSpan.FromMinutes(3), j => j.IsFinished || j.Progress >= 0.2);
        Assert.False(midway.IsFinished, "the job finished before a silo could be killed: make it longer");
        cluster.KillSilo(victim);
        try
        {
            var done = await FarmJobs.WaitAsync(http, job.Id, TimeSpan.FromMinutes(5));
            Assert.True(done.State == "completed", $"{done.State}: {done.Error}");
            if (killJobGrainSilo)
            {
                Assert.NotEqual(victim, await cluster.JobGrainSiloAsync(job.Id));
            }
            var video = await http.GetByteArrayAsync(done.Video!.TrimStart('/'));
            var expected = await reference;
            Assert.True(video.SequenceEqual(expected), "the video differs from the reference render");
        }
        finally
        {
            await cluster.StartSiloAsync(victim);
        }
    }
}
