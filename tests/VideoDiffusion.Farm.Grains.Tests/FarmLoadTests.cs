using System.Net;
using Orleans.Runtime;
using VideoDiffusion.Farm.Abstractions.Monitoring;
using VideoDiffusion.Farm.Grains.Placement;

namespace VideoDiffusion.Farm.Grains.Tests;

/// <summary>
/// A silo's view of the farm counts the windows it placed until a report of their silo taken after them: reports are up
/// to one period old when they arrive, and forgetting the windows placed meanwhile sent the next ones to the same silo.
/// </summary>
public sealed class FarmLoadTests
{
    private static readonly SiloAddress Silo = SiloAddress.New(IPAddress.Loopback, 11111, 1);

    /// <summary>A clock the test moves by hand.</summary>
    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static SiloReport Report(DateTimeOffset at, int windows) => new()
    {
        Name = "silo",
        Address = Silo,
        ReportedAt = at,
        Period = TimeSpan.FromSeconds(2),
        Slots = [new SlotReading(0, 0, [])],
        BusySeconds = 0,
        QueuedWindowSteps = 0,
        WindowSteps = 0,
        RunningWindows = windows == 0 ? [] : [new JobWindows("job", "tenant", windows)],
    };

    [Fact]
    public void AWindowPlacedAfterASilosReportStaysCountedUntilAReportTakenAfterIt()
    {
        var start = DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        var clock = new ManualClock(start);
        var load = new FarmLoad(clock);
        load.Update([Report(start, 2)]);

        clock.Now = start.AddSeconds(5);
        load.Added(Silo);
        Assert.Equal(3, load.Snapshot().Single().Windows);

        // a view whose report was taken before the placement: the window is not in it yet, so it still counts
        load.Update([Report(start.AddSeconds(3), 2)]);
        Assert.Equal(3, load.Snapshot().Single().Windows);
        Assert.Equal(3.0, load.WindowsPerOpenSlot(Silo, 1));

        // a report taken well after the placement shows the window itself
        load.Update([Report(start.AddSeconds(8), 3)]);
        Assert.Equal(3, load.Snapshot().Single().Windows);

        // a silo that leaves the view takes what was placed on it along
        clock.Now = start.AddSeconds(9);
        load.Added(Silo, 2);
        load.Update([]);
        Assert.Empty(load.Snapshot());
        load.Update([Report(start.AddSeconds(7), 3)]);
        Assert.Equal(3, load.Snapshot().Single().Windows);
    }
}
