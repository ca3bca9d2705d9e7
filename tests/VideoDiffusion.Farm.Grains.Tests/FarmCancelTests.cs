using Orleans.Runtime;
using VideoDiffusion.Farm.Abstractions;
using VideoDiffusion.Farm.Abstractions.Protocol;
using VideoDiffusion.Farm.Grains.Placement;
using VideoDiffusion.Farm.Grains.Storage;
using VideoDiffusion.Farm.Grains.Windows;

namespace VideoDiffusion.Farm.Grains.Tests;

/// <summary>Cancelling a job: the answer does not wait for its windows, nothing is stored after it, and windows stay stopped.</summary>
[Collection(FarmClusterCollection.Name)]
public sealed class FarmCancelTests(FarmClusterFixture fixture)
{
    private static RenderJobRequest Request(double seconds, int steps, int scale = 1, string format = "y4m") => new()
    {
        Prompt = "a blue ball moving left on the beach",
        Seconds = seconds,
        Steps = steps,
        Format = format,
        Scale = scale,
        Seed = 5,
    };

    [Fact]
    public async Task CancelAnswersAtOnceWhileNoWindowAnswers()
    {
        var jobId = Guid.NewGuid().ToString("N");
        var job = fixture.Cluster.Client.GetGrain<IRenderJobGrain>(jobId);
        await job.Submit(Request(seconds: 40, steps: 40));
        await FarmJobs.WaitAsync(fixture.Cluster.Client, jobId, TimeSpan.FromMinutes(4), s => s.WindowProgress.Any(p => p > 0));
        var release = new TaskCompletionSource();
        fixture.HoldCall = call => call.InterfaceMethod?.Name == nameof(IWindowGrain.Cancel) ? release.Task : null;
        try
        {
            // the windows' silo does not answer the cancel (Orleans would wait 30 s): the job's answer must not wait for it
            await job.Cancel().WaitAsync(TimeSpan.FromSeconds(5));
            Assert.Equal(JobState.Cancelled, (await job.GetStatus().WaitAsync(TimeSpan.FromSeconds(5))).State);
        }
        finally
        {
            fixture.HoldCall = null;
            release.SetResult();
        }
    }

    [Fact]
    public async Task ReactivatedWindowOfACancelledJobDoesNoWork()
    {
        var jobId = Guid.NewGuid().ToString("N");
        var client = fixture.Cluster.Client;
        var job = client.GetGrain<IRenderJobGrain>(jobId);
        var request = Request(seconds: 16, steps: 40);
        await job.Submit(request);
        await FarmJobs.WaitAsync(client, jobId, TimeSpan.FromMinutes(4), s => s.WindowProgress.Any(p => p > 0));
        await job.Cancel();
        var management = client.GetGrain<IManagementGrain>(0);
        await Poll.UntilAsync(
            async () =>
            {
                // every window has stopped and gone idle: collect their activations, so the next call activates afresh
                await management.ForceActivationCollection(TimeSpan.Zero);
                return (await management.GetSimpleGrainStatistics()).Where(s => s.GrainType.Contains(nameof(WindowGrain), StringComparison.Ordinal)).Sum(s => s.ActivationCount);
            },
            count => count == 0, TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(500), last => $"{last} window activations left");

        // the job deletes a stopped job's latents in the background: wait until the files stay as they are
        var stored = StoredFiles(jobId);
        var quiet = System.Diagnostics.Stopwatch.StartNew();
        while (quiet.Elapsed < TimeSpan.FromSeconds(3))
        {
            await Task.Delay(250);
            var now = StoredFiles(jobId);
            if (!now.SequenceEqual(stored))
            {
                (stored, quiet) = (now, System.Diagnostics.Stopwatch.StartNew());
            }
        }
        var plan = await new JobArtifacts(fixture.Store).LoadPlanAsync(jobId);
        RequestContext.Set(AcceleratorPlacement.ModelContextKey, request.Model);
        foreach (var window in plan.Plan.Windows)
        {
            await client.GetGrain<IWindowGrain>(WindowKeys.Of(jobId, window).GrainKey).EnsureRunning();
        }
        RequestContext.Remove(AcceleratorPlacement.ModelContextKey);
        await Task.Delay(TimeSpan.FromSeconds(6));
        Assert.Equal(string.Join("\n", stored), string.Join("\n", StoredFiles(jobId)));
        Assert.Equal(JobState.Cancelled, (await job.GetStatus()).State);
    }

    [Fact]
    public async Task CancelWhileStitchingStoresNoVideoAndTheJobEndsCancelled()
    {
        var jobId = Guid.NewGuid().ToString("N");
        var client = fixture.Cluster.Client;
        var job = client.GetGrain<IRenderJobGrain>(jobId);
        await job.Submit(Request(seconds: 60, steps: 2, scale: 8, format: "mp4"));
        var stitching = await FarmJobs.WaitAsync(client, jobId, TimeSpan.FromMinutes(4), s => s.IsFinished || s.State == JobState.Stitching);
        Assert.True(stitching.State == JobState.Stitching, $"the job got to {stitching.State} before it could be cancelled while stitching: make it longer");
        await job.Cancel();
        var key = JobArtifacts.VideoKey(jobId, "mp4");
        // longer than the whole stitch takes here: a stitcher that went on would have stored the video by now
        for (var i = 0; i < 40; i++)
        {
            Assert.False(await fixture.Store.ExistsAsync(key), "a video was stored for a job cancelled while stitching");
            await Task.Delay(500);
        }
        var status = await job.GetStatus();
        Assert.Equal(JobState.Cancelled, status.State);
        Assert.Null(status.Result);
    }

    private List<string> StoredFiles(string jobId) =>
        Directory.EnumerateFiles(Path.Combine(fixture.ArtifactsRoot, "jobs", jobId), "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
}
