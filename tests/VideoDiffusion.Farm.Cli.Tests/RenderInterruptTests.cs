namespace VideoDiffusion.Farm.Cli.Tests;

/// <summary>
/// <c>farm render</c> stopped from outside: Ctrl+C (SIGINT) and SIGTERM cancel the job, print "cancelled" and exit with
/// 130 without writing a video or leaving the embedded farm's folder behind; what a SIGKILL leaves behind is deleted by
/// the same user's next render on the machine.
/// </summary>
public sealed class RenderInterruptTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("farm-interrupt-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private Dictionary<string, string> Environment => new() { ["TMPDIR"] = _temp };

    private string FarmFolders => Path.Combine(_temp, $"farm-embedded-{System.Environment.UserName}");

    /// <summary>Starts a render long enough to be stopped mid-denoise and returns once it is denoising.</summary>
    private async Task<ToolProcess> StartRenderAsync(string output)
    {
        var render = FarmCli.StartAsInATerminal(Environment, "render", "a yellow dog walking right on the moon", "--seconds", "60", "--out", output);
        await render.WaitForOutputAsync("keyframes,", TimeSpan.FromMinutes(2));
        return render;
    }

    private static async Task SignalAsync(ToolProcess process, string signal)
    {
        var sent = await ToolProcess.RunAsync("kill", [$"-{signal}", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        Assert.True(sent.ExitCode == 0, sent.ToString());
    }

    [Theory]
    [InlineData("INT")]
    [InlineData("TERM")]
    public async Task ASignalCancelsTheRenderAndCleansUp(string signal)
    {
        var output = Path.Combine(_temp, "clip.mp4");
        using var render = await StartRenderAsync(output);

        await SignalAsync(render, signal);
        var result = await render.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.True(result.ExitCode == 130, result.ToString());
        Assert.Contains("cancelled", result.Error);
        Assert.DoesNotContain("wrote", result.Error);
        Assert.False(File.Exists(output));
        Assert.Empty(Directory.EnumerateDirectories(FarmFolders));
    }

    [Fact]
    public async Task WhatAKilledRenderLeftIsDeletedByTheNext()
    {
        var killed = await StartRenderAsync(Path.Combine(_temp, "killed.mp4"));
        killed.Kill(); // SIGKILL, and waits for the process to end
        var left = Assert.Single(Directory.EnumerateDirectories(FarmFolders));

        var next = await FarmCli.RunAsync(Environment, FarmCli.Patience, "render", "a red ball", "--seconds", "2", "--steps", "2", "--out", Path.Combine(_temp, "next.mp4"));

        Assert.True(next.ExitCode == 0, next.ToString());
        Assert.False(Directory.Exists(left));
        Assert.Empty(Directory.EnumerateDirectories(FarmFolders));
    }
}
