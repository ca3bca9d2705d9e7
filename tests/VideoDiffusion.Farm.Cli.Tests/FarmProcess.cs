using System.Diagnostics;

namespace VideoDiffusion.Farm.Cli.Tests;

/// <summary>Runs the real <c>farm</c> executable (copied next to the tests) from the repository root.</summary>
public static class FarmProcess
{
    public static string RepositoryRoot => RepositoryPaths.Root;

    public static (int ExitCode, string Output, string Error) Run(params string[] args) => Run(new Dictionary<string, string>(), args);

    /// <param name="environment">Variables set for the process on top of the test's own.</param>
    public static (int ExitCode, string Output, string Error) Run(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var psi = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "farm"))
        {
            WorkingDirectory = RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (name, value) in environment)
        {
            psi.Environment[name] = value;
        }
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(10)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException("farm did not finish in 10 minutes: " + string.Join(' ', args));
        }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }
}
