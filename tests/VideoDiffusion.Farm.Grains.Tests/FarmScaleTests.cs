using VideoDiffusion.Farm.Grains.Telemetry;
using VideoDiffusion.Farm.Abstractions;

namespace VideoDiffusion.Farm.Grains.Tests;

[Collection(FarmClusterCollection.Name)]
public sealed class FarmScaleTests(FarmClusterFixture fixture)
{
    [Fact]
    public async Task JobGrainCallsGrowWithWindowsNotWithWindowSteps()
    {
        const int steps = 12;
        var request = new RenderJobRequest
        {
            Prompt = "a blue cube sliding left on the grass",
            Seconds = 300,
            Steps = steps,
            Window = 8,
            Overlap = 4,
            Anchors = KeyframeAnchoring.None, // one pass, so every window of the job is in WindowsTotal
            Format = "y4m",
            Scale = 1,
        };
        var jobId = Guid.NewGuid().ToString("N");
        using var calls = new FarmCounter(FarmCounter.JobGrainCalls);
        await fixture.Cluster.Client.GetGrain<IRenderJobGrain>(jobId).Submit(request);
        var polls = 0;
        var status = await FarmJobs.WaitAsync(fixture.Cluster.Client, jobId, TimeSpan.FromMinutes(8), polled: () => polls++);
        Assert.True(status.State == JobState.Completed, status.Error);
        var windows = status.WindowsTotal;
        Assert.InRange(windows, 590, 610);
        // this test's own status polls grow with how long the render takes on this machine, not with the job: leave them out
        var farmCalls = calls.Total - polls;
        Console.WriteLine($"{windows} windows x {steps} steps = {windows * steps} window-steps; {farmCalls} calls into the job grain (+{polls} status polls)");
        // one completion per window, one progress report per silo and job a second, plus submission and stitching;
        // the watchdog's EnsureRunning makes a finished window repeat its completion while the first report is still
        // queued, so allow more calls per window
        Assert.True(farmCalls < windows * steps / 2, $"{farmCalls} calls for {windows * steps} window-steps");
        Assert.True(farmCalls <= 5 * windows, $"{farmCalls} calls for {windows} windows");
    }
}

