using System.Globalization;
using System.Text.RegularExpressions;

namespace VideoDiffusion.Farm.Cli.Tests;

/// <summary>What <c>farm render</c> says about its progress: it only ever moves forward, for every strategy and engine.</summary>
public sealed partial class RenderProgressTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("farm-progress-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [GeneratedRegex(@"^progress (\d+)\s?% \((\w[\w ]*), (\d+)/(\d+) window-steps", RegexOptions.Multiline)]
    private static partial Regex ProgressLine();

    [Theory]
    [InlineData("farm", "co-denoise")] // anchored on a keyframe pass by default: two passes
    [InlineData("farm", "autoregressive")]
    [InlineData("reference", "co-denoise")]
    public void ProgressNeverGoesBackwards(string engine, string strategy)
    {
        var run = FarmCli.Run("render", "a green cube moving left on the grass", "--seconds", "6", "--steps", "4", "--window", "8",
            "--overlap", "2", "--scale", "1", "--strategy", strategy, "--engine", engine, "--out", Path.Combine(_dir, "clip.y4m"));
        Assert.True(run.ExitCode == 0, run.Error);
        var lines = ProgressLine().Matches(run.Error).Select(m => (
            Percent: int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture),
            Done: long.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture),
            Total: long.Parse(m.Groups[4].Value, CultureInfo.InvariantCulture))).ToList();
        Assert.True(lines.Count >= 3, $"too few progress lines:\n{run.Error}");
        Assert.Equal(100, lines[^1].Percent);
        Assert.Single(lines.Select(l => l.Total).Distinct());
        for (var i = 1; i < lines.Count; i++)
        {
            Assert.True(lines[i].Done >= lines[i - 1].Done, $"progress went back from {lines[i - 1]} to {lines[i]}:\n{run.Error}");
        }
    }
}
