using VideoDiffusion.Farm.Abstractions.Api;
using VideoDiffusion.Farm.Cli.Terminal;

namespace VideoDiffusion.Farm.Cli.Tests;

/// <summary>The farm view as <c>farm top</c> prints it: sparkline levels and the table's lines.</summary>
public sealed class FarmViewTableTests
{
    [Fact]
    public void SparklineMapsZeroToOneOntoTheEightBlocksNewestOnTheRight()
    {
        var line = FarmTable.Sparkline([0, 0.5, 1, 2, double.NaN, -1]);
        Assert.Equal(FarmTable.SparklineWidth, line.Length);
        Assert.EndsWith("▁▅██▁▁", line);
        Assert.Equal(new string(' ', FarmTable.SparklineWidth - 6), line[..^6]);
        Assert.Equal(new string('▁', FarmTable.SparklineWidth), FarmTable.Sparkline(Enumerable.Repeat(0.0, 80).ToList()));
    }

    [Fact]
    public void TableHasARowPerSiloThenTheCallersJobsAndOtherTenantsAsCounts()
    {
        var view = new FarmView
        {
            At = DateTimeOffset.UnixEpoch,
            SeriesStepSeconds = 5,
            Silos =
            [
                new FarmSiloView { Name = "silo-a", Slots = 2, Utilization = 0.875, UtilizationSeries = [0, 1], QueuedWindowSteps = 3, RunningWindows = 4 },
                new FarmSiloView { Name = "silo-long-name", Slots = 1 },
            ],
            Totals = new FarmTotalsView { Silos = 2, Slots = 3, Utilization = 0.583, RunningWindows = 4, Jobs = 2 },
            Jobs = [new FarmJobView { Id = "j-1", RunningWindows = 3, Silos = new Dictionary<string, int> { ["silo-a"] = 3 } }],
            OtherTenants = new FarmOthersView(1, 1),
        };
        var lines = FarmTable.Render(view).Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        Assert.Contains("2 silos  3 slots  util 58%", lines[0]);
        var header = lines.Single(l => l.StartsWith("SILO", StringComparison.Ordinal));
        var row = lines.Single(l => l.StartsWith("silo-a ", StringComparison.Ordinal));
        Assert.Equal(header.Length, row.Length);
        Assert.Contains("88%", row);
        Assert.EndsWith("▁█       3        4", row);
        Assert.Contains(lines, l => l.StartsWith("silo-long-name", StringComparison.Ordinal));
        Assert.Contains("  j-1  3 windows  (silo-a 3)", lines);
        Assert.Contains("other tenants: 1 jobs, 1 windows", lines);
    }
}
