using VideoDiffusion.Farm.Abstractions;
using VideoDiffusion.Farm.Abstractions.Api;

namespace VideoDiffusion.Farm.Grains.Tests;

[Collection(FarmClusterCollection.Name)]
public sealed class FarmJobTests(FarmClusterFixture fixture)
{
    private static RenderJobRequest Request(string strategy = "co-denoise", int syncEvery = 1, double seconds = 8, int steps = 6, string anchors = "auto") => new()
    {
        Prompt = "Bluey walking on the moon after coming out of the spaceship",
        Seconds = seconds,
        Steps = steps,
        Strategy = ApiNames.TryParse<JobStrategy>(strategy, out var s) ? s : throw new ArgumentException(strategy),
        SyncEvery = syncEvery,
        Anchors = ApiNames.TryParse<KeyframeAnchoring>(anchors, out var a) ? a : throw new ArgumentException(anchors),
        Format = "y4m",
        Scale = 1,
        Seed = 11,
    };

    private async Task<JobStatus> RunAsync(RenderJobRequest request, string? jobId = null)
    {
        jobId ??= Guid.NewGuid().ToString("N");
        await fixture.Cluster.Client.GetGrain<IRenderJobGrain>(jobId).Submit(request);
        return await FarmJobs.WaitAsync(fixture.Cluster.Client, jobId, TimeSpan.FromMinutes(6));
    }

    [Theory]
    [InlineData("co-denoise", 1, "auto")] // more than one window: anchored on a keyframe pass
    [InlineData("co-denoise", 1, "none")]
    [InlineData("co-denoise", 4, "auto")]
    [InlineData("keyframes", 1, "auto")]
    [InlineData("autoregressive", 1, "auto")]
    public async Task FarmOutputEqualsTheReferenceRenderer(string strategy, int syncEvery, string anchors) =>
        await RenderEqualToTheReferenceAsync(Request(strategy, syncEvery, anchors: anchors));

    /// <summary>Renders <paramref name="request"/> on the farm, asserts the video equals the reference renderer's, returns it.</summary>
    private async Task<byte[]> RenderEqualToTheReferenceAsync(RenderJobRequest request)
    {
        var status = await RunAsync(request);
        Assert.True(status.State == JobState.Completed, status.Error);
        var farm = await fixture.ReadArtifactAsync(status.Result!.ArtifactKey);
        Assert.Equal(await FarmClusterFixture.ReferenceY4mAsync(request), farm);
        return farm;
    }

    [Fact]
    public async Task KeyframeLevelsOnTheFarmEqualTheReferenceRenderer()
    {
        // keyframes every 2 latent frames need 3 windows, so a level at stride 8 goes on top: passes key1, key, main
        var farm = await RenderEqualToTheReferenceAsync(Request() with { KeyframeStride = 2 });
        Assert.NotEqual(await FarmClusterFixture.ReferenceY4mAsync(Request()), farm);
    }

    [Fact]
    public async Task FocusedGuidanceTravelsToTheSilosAndStillEqualsTheReference()
    {
        var farm = await RenderEqualToTheReferenceAsync(Request() with { GuidanceFocus = 1f });
        Assert.NotEqual(await FarmClusterFixture.ReferenceY4mAsync(Request()), farm);
    }

    [Fact]
    public async Task WindowsSpreadOverSilosAndNeverOnASiloWithoutSlots()
    {
        var before = fixture.ExecutorStatistics().ToDictionary(s => s.Name, s => s.Statistics.WindowSteps);
        var status = await RunAsync(Request(seconds: 14));
        Assert.Equal(JobState.Completed, status.State);
        var after = fixture.ExecutorStatistics().ToDictionary(s => s.Name, s => s.Statistics.WindowSteps);
        var used = after.Where(kv => kv.Value > before.GetValueOrDefault(kv.Key)).Select(kv => kv.Key).ToList();
        Assert.True(used.Count >= 2, $"windows ran on {string.Join(", ", used)} only");
        Assert.DoesNotContain(FarmClusterFixture.NoSlotSiloName, used);
        Assert.Equal(0, after[FarmClusterFixture.NoSlotSiloName]);
        Assert.Equal(0, fixture.ExecutorStatistics().Single(s => s.Name == FarmClusterFixture.NoSlotSiloName).Statistics.Slots);
    }

    [Fact]
    public async Task TwoConcurrentJobsShareTheExecutorsAndBothComplete()
    {
        var a = RunAsync(Request(seconds: 6) with { Seed = 1 });
        var b = RunAsync(Request(seconds: 6) with { Seed = 2, Prompt = "a red ball bouncing on the beach" });
        var results = await Task.WhenAll(a, b);
        Assert.All(results, s => Assert.Equal(JobState.Completed, s.State));
        Assert.NotEqual(results[0].Result!.ArtifactKey, results[1].Result!.ArtifactKey);
    }

    [Fact]
    public async Task CancelStopsEveryWindowAndFreesTheExecutors()
    {
        var jobId = Guid.NewGuid().ToString("N");
        var job = fixture.Cluster.Client.GetGrain<IRenderJobGrain>(jobId);
        await job.Submit(Request(seconds: 40, steps: 40));
        await FarmJobs.WaitAsync(fixture.Cluster.Client, jobId, TimeSpan.FromMinutes(4), s => s.WindowProgress.Any(p => p > 0));
        await job.Cancel();
        Assert.Equal(JobState.Cancelled, (await job.GetStatus()).State);
        // within about a step every queue is empty and no more window-steps run
        await Task.Delay(1500);
        var settled = fixture.ExecutorStatistics().Sum(s => s.Statistics.WindowSteps);
        await Task.Delay(1500);
        Assert.Equal(settled, fixture.ExecutorStatistics().Sum(s => s.Statistics.WindowSteps));
        Assert.All(fixture.ExecutorStatistics(), s => Assert.Equal(0, s.Statistics.Queued));
    }

    [Fact]
    public async Task ResubmittingAJobIdReturnsTheSameJob()
    {
        var jobId = Guid.NewGuid().ToString("N");
        var job = fixture.Cluster.Client.GetGrain<IRenderJobGrain>(jobId);
        var first = await job.Submit(Request(seconds: 2, steps: 2));
        var second = await job.Submit(Request(seconds: 2, steps: 2) with { Seed = 99 });
        Assert.Equal(first.SubmittedAt, second.SubmittedAt);
        Assert.Equal(JobState.Completed, (await FarmJobs.WaitAsync(fixture.Cluster.Client, jobId, TimeSpan.FromMinutes(4))).State);
    }

    [Theory]
    [InlineData("prompt")]
    [InlineData("overlap")]
    [InlineData("steps")]
    [InlineData("model")]
    [InlineData("format")]
    public async Task BadRequestsAreRejectedNamingTheField(string field)
    {
        var request = field switch
        {
            "prompt" => Request() with { Prompt = "" },
            "overlap" => Request() with { Overlap = 12 },
            "steps" => Request() with { Steps = 0 },
            "model" => Request() with { Model = "no-such-model" },
            _ => Request() with { Format = "avi" },
        };
        var job = fixture.Cluster.Client.GetGrain<IRenderJobGrain>(Guid.NewGuid().ToString("N"));
        var e = await Assert.ThrowsAsync<JobRejectedException>(() => job.Submit(request));
        Assert.Equal(field, e.Field);
        Assert.Equal(JobState.Queued, (await job.GetStatus()).State);
    }
}
