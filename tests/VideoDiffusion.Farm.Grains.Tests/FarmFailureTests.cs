using VideoDiffusion.Farm.Grains.Telemetry;
using VideoDiffusion.Farm.Abstractions;
using VideoDiffusion.Farm.Abstractions.Protocol;

namespace VideoDiffusion.Farm.Grains.Tests;

/// <summary>Loses a silo mid-render (killed, or stopped gracefully); each test has its own cluster since it loses one.</summary>
public sealed class FarmFailureTests : IAsyncLifetime
{
    private readonly FarmClusterFixture _fixture = new();

    public Task InitializeAsync() => _fixture.InitializeAsync();

    public Task DisposeAsync() => _fixture.DisposeAsync();

    [Fact]
    public Task ASiloKilledMidRenderLosesNothing() => LoseASiloMidRenderAsync(graceful: false, "farm.window.resumes");

    [Fact]
    public Task AStoppingSiloHandsItsWindowsOverWithoutRecomputingAStep() => LoseASiloMidRenderAsync(graceful: true, FarmCounter.WindowMoves);

    [Fact]
    public async Task AFailedEdgeLookupIsRetriedNotSkipped()
    {
        // a resuming window that skipped a neighbour whose lookup failed would never get the edges it lost, and the two
        // would wait for each other for ever (a stall seen in CI when a silo stopped)
        var injected = 0;
        _fixture.FailCall = call => call.InterfaceMethod?.Name == nameof(IWindowGrain.GetEdges) && Interlocked.Increment(ref injected) <= 3;
        await LoseASiloMidRenderAsync(graceful: false, "farm.window.resumes");
        Assert.True(Volatile.Read(ref injected) > 3, $"only {injected} edge lookups: the injected failures were not all retried");
    }

    private async Task LoseASiloMidRenderAsync(bool graceful, string counter)
    {
        var request = new RenderJobRequest
        {
            Prompt = "Bluey walking on the moon after coming out of the spaceship",
            Seconds = 24,
            Steps = 20,
            Format = "y4m",
            Scale = 1,
            Seed = 5,
        };
        long resumes = 0;
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == counter)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref resumes, value));
        listener.Start();
        using var recomputed = new FarmCounter(FarmCounter.RecomputedSteps);
        var jobId = Guid.NewGuid().ToString("N");
        await _fixture.Cluster.Client.GetGrain<IRenderJobGrain>(jobId).Submit(request);
        // in the main pass (after the keyframe pass that anchors it), past the first checkpoint (every 2 steps) on some
        // windows, well before the end
        await FarmJobs.WaitAsync(_fixture.Cluster.Client, jobId, TimeSpan.FromMinutes(5), s => s.Phase == "main" && s.WindowProgress.Count(p => p >= 25) >= 2);
        var victim = _fixture.Cluster.Silos.Single(s => s.Name == "Silo_2");
        if (graceful)
        {
            await _fixture.Cluster.StopSiloAsync(victim);
        }
        else
        {
            await _fixture.Cluster.KillSiloAsync(victim);
        }
        var status = await FarmJobs.WaitAsync(_fixture.Cluster.Client, jobId, TimeSpan.FromMinutes(8));
        Assert.True(status.State == JobState.Completed, status.Error);
        Assert.True(Interlocked.Read(ref resumes) > 0, $"{counter} stayed 0: losing the silo did not hit a running window");
        // a killed silo's windows resume from their checkpoints and may compute a step or so again (none when the kill
        // came right after a checkpoint); a stopping silo's windows are handed over at the step they are on
        Console.WriteLine($"{counter}: {Interlocked.Read(ref resumes)}; recomputed window-steps: {recomputed.Total}");
        if (graceful)
        {
            Assert.Equal(0, recomputed.Total);
        }
        Assert.Equal(await FarmClusterFixture.ReferenceY4mAsync(request), await _fixture.ReadArtifactAsync(status.Result!.ArtifactKey));
    }
}
