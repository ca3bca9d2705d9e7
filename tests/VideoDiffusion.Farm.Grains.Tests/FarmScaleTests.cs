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
            Anchors = "none", // one pass, so every window of the job is in WindowsTotal
            Format = "y4m",
            Scale = 1,
        };
        var jobId = Guid.NewGuid().ToString("N");
        var submitted = await fixture.Cluster.Client.GetGrain<IRenderJobGrain>(jobId).Submit(request);
        var status = await fixture.WaitAsync(jobId, TimeSpan.FromMinutes(8));
        Assert.True(status.State == JobState.Completed, status.Error);
        var windows = submitted.WindowsTotal;
        Assert.InRange(windows, 590, 610);
        Console.WriteLine($"{windows} windows x {steps} steps = {windows * steps} window-steps; {status.JobGrainCalls} calls into the job grain");
        // at most three progress quarters and one completion per window, plus the status polls of this test
        Assert.True(status.JobGrainCalls < windows * steps / 2, $"{status.JobGrainCalls} calls for {windows * steps} window-steps");
        Assert.True(status.JobGrainCalls <= 4 * windows + 2000, $"{status.JobGrainCalls} calls for {windows} windows");
    }
}
