using System.Globalization;

namespace VideoDiffusion.Farm.Cli.Tests;

/// <summary>
/// The benchmark and evaluation commands as a user runs them: every option of <c>farm bench</c>, <c>farm bench-scale</c>
/// and <c>farm eval-model</c> checked before anything starts, and a small real <c>bench-scale</c> run's table.
/// </summary>
public sealed class BenchmarkCommandTests
{
    [Theory]
    [InlineData("bench-scale", "silos", 2, "--silos", "0")]
    [InlineData("bench-scale", "silos", 2, "--silos", "abc")]
    [InlineData("bench-scale", "silos", 2, "--silos", "4,300")]
    [InlineData("bench-scale", "scale-out", 2, "--scale-out", "4")]
    [InlineData("bench-scale", "scale-out", 2, "--scale-out", "4+x")]
    [InlineData("bench-scale", "scale-out", 2, "--scale-out", "0+3")]
    [InlineData("bench-scale", "concurrent-jobs", 2, "--concurrent-jobs", "-1")]
    [InlineData("bench-scale", "accelerator", 2, "--accelerator", "gpu")]
    [InlineData("bench-scale", "time-scale", 2, "--time-scale", "-1")]
    [InlineData("bench-scale", "time-scale", 2, "--time-scale", "0")]
    [InlineData("bench-scale", "timeline", 2, "--timeline", "0")]
    [InlineData("bench-scale", "seconds", 2, "--seconds", "0")]
    [InlineData("bench-scale", "seconds", 2, "--seconds", "100000")]
    [InlineData("bench-scale", "steps", 2, "--steps", "0")]
    [InlineData("bench-scale", "model", 3, "--model", "/no/such/model")]
    [InlineData("bench-scale", "model", 3, "--model", "moonwalk-tiny")] // no simulated-accelerator.json: the simulated accelerator cannot time it
    [InlineData("bench", "batches", 2, "--batches", "1,x")]
    [InlineData("bench", "batches", 2, "--batches", "0")]
    [InlineData("bench", "engines", 2, "--engines", "warp")]
    [InlineData("bench", "silos", 2, "--silos", "99")]
    [InlineData("bench", "telemetry-runs", 2, "--telemetry-runs", "-1")]
    [InlineData("bench", "threads", 2, "--threads", "0")]
    [InlineData("eval-model", "count", 2, "--count", "0")]
    [InlineData("eval-model", "threads", 2, "--threads", "999")]
    [InlineData("eval-model", "routes", 2, "--seconds", "5", "--routes", "sideways")]
    [InlineData("eval-model", "json", 2, "--json", "/no/such/folder/scores.json")]
    [InlineData("eval-model", "set", 2, "--set", "/no/such/set.json")]
    public void BadOptionsGiveOneLineNamingTheOptionBeforeAnyRunStarts(string command, string field, int exitCode, params string[] args)
    {
        var r = FarmCli.Run([command, .. args]);
        Assert.Equal(exitCode, r.ExitCode);
        Assert.StartsWith($"error: {field}: ", r.Error);
        Assert.Single(r.Error.Trim().Split('\n'));
        Assert.Equal("", r.Output); // refused before the table's header, so before anything ran
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
        Assert.InRange(efficiency, 0.1, 100);
        Assert.Equal(["0", "0"], cells[12..]); // no moves, nothing recomputed
        Assert.Contains("simulated accelerators", r.Output);
    }
}
