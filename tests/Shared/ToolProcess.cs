using System.Diagnostics;

namespace VideoDiffusion.Farm.Tests.Shared;

/// <summary>Runs a command-line tool (promtool, helm, node) from the repository root and collects what it said.</summary>
public static class ToolProcess
{
    /// <param name="stdin">Text written to the tool's standard input, which is then closed; null: no input.</param>
    /// <param name="timeout">How long the tool may run (default 2 minutes).</param>
    public static async Task<ToolResult> RunAsync(string executable, IEnumerable<string> arguments, string? stdin = null, TimeSpan? timeout = null)
    {
        var info = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
            WorkingDirectory = RepositoryPaths.Root,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
        }
        using var limit = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(limit.Token);
        return new ToolResult(process.ExitCode, await stdout, await stderr);
    }
}

/// <summary>A tool's exit code and output.</summary>
public sealed record ToolResult(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit {ExitCode}\n{Output}\n{Error}";
}
