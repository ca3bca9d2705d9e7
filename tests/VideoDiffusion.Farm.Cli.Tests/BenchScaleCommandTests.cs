using System.Globalization;

namespace VideoDiffusion.Farm.Cli.Tests;

/// <summary><c>farm bench-scale</c> as a user runs it: every option checked before any silo starts, and a small real run's table.</summary>
public sealed class BenchScaleCommandTests
{
    [Theory]
    [InlineData("silos", 2, "--silos", "0")]
    [InlineData("silos", 2, "--silos", "abc")]
    [InlineData("silos", 2, "--silos", "4,300")]
    [InlineData("scale-out", 2, "--scale-out", "4")]
    [InlineData("scale-out", 2, "--scale-out", "4+x")]
    [InlineData("scale-out", 2, "--scale-out", "0+3")]
    [InlineData("concurrent-jobs", 2, "--concurrent-jobs", "-1")]
    [InlineData("accelerator", 2, "--accelerator", "gpu")]
    [InlineData("time-scale", 2, "--time-scale", "-1")]
    [InlineData("time-scale", 2, "--time-scale", "0")]
    [InlineData("timeline", 2, "--timeline", "0")]
    [InlineData("seconds", 2, "--seconds", "0")]
    [InlineData("seconds", 2, "--seconds", "100000")]
    [InlineData("steps", 2, "--steps", "0")]
    [InlineData("model", 3, "--model", "/no/such/model")]
    [InlineData("model", 3, "--model", "moonwalk-tiny")] // no simulated-accelerator.json: the simulated accelerator cannot time it
    public void BadOptionsGiveOneLineNamingTheOptionBeforeAnyRunStarts(string field, int exitCode, params string[] args)
    {
        var r = FarmCli.Run(["bench-scale", .. args]);
        Assert.Equal(exitCode, r.ExitCode);
        Assert.StartsWith($"error: {field}: ", r.Error);
        Assert.Single(r.Error.Trim().Split('\n'));
        Assert.DoesNotContain("| silos |", r.Output); // refused before the table, so before any configuration ran
    }

    [Fact]
    public void ASmallRunPrintsOneRowOfTheTableWithItsEfficiency()
    {
        var r = FarmCli.Run(["bench-scale", "--silos", "2", "--seconds", "10", "--concurrent-jobs", "0", "--scale-out", "", "--time-scale", "0.0005"]);
        Assert.True(r.ExitCode == 0, r.Error);
        var rows = r.Output.Split('\n').Where(l => l.StartsWith("| 2 |", StringComparison.Ordinal)).ToList();
        var cells = Assert.Single(rows).Trim('|', ' ', '\r').Split(" | ");
        Assert.Equal(14, cells.Length);
        Assert.Equal(["2", "1", "3", "40"], cells[..4]); // silos, jobs, main windows, window-steps of every pass
        var efficiency = double.Parse(cells[7].TrimEnd('%', ' '), CultureInfo.InvariantCulture);
        Assert.InRange(efficiency, 1, 100);
        Assert.Equal(["0", "0"], cells[12..]); // no moves, nothing recomputed
        Assert.Contains("simulated accelerators", r.Output);
    }
}
