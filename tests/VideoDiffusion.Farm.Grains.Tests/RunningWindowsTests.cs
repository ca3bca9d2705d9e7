using VideoDiffusion.Farm.Grains.Monitoring;

namespace VideoDiffusion.Farm.Grains.Tests;

/// <summary>The silo-local count of running windows the farm view reports.</summary>
public sealed class RunningWindowsTests
{
    [Fact]
    public void CountsWindowsPerJobUntilTheirRegistrationsEndAndCountsADoubleDisposeOnce()
    {
        var windows = new RunningWindows();
        var a0 = windows.Register("job-a", "tenant-1");
        var a1 = windows.Register("job-a", "tenant-1");
        var b0 = windows.Register("job-b", "tenant-2");
        Assert.Equal([("job-a", "tenant-1", 2), ("job-b", "tenant-2", 1)],
            windows.Snapshot().Select(j => (j.JobId, j.Tenant, j.Windows)).OrderBy(j => j.JobId));

        a0.Dispose();
        a0.Dispose();
        Assert.Equal(1, windows.Snapshot().Single(j => j.JobId == "job-a").Windows);
        a1.Dispose();
        b0.Dispose();
        Assert.Empty(windows.Snapshot());
    }

    [Fact]
    public void CountsChainedWindowsApartUntilTheyEnd()
    {
        var windows = new RunningWindows();
        var chain = windows.Register("job-a", "tenant-1", chained: true);
        var main = windows.Register("job-a", "tenant-1");
        Assert.Equal(1, windows.Chained);
        Assert.Equal(2, windows.Snapshot().Single().Windows);

        chain.Dispose();
        chain.Dispose();
        Assert.Equal(0, windows.Chained);
        main.Dispose();
        Assert.Equal(0, windows.Chained);
    }
}
