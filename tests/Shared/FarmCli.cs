namespace VideoDiffusion.Farm.Tests.Shared;

/// <summary>The real <c>farm</c> CLI (its own build output) run as a process from the repository root.</summary>
public static class FarmCli
{
    /// <summary>How long a run may take before it is killed and the test fails.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromMinutes(10);

    /// <summary>Runs <c>farm</c> with <paramref name="args"/> to its end.</summary>
    public static ToolResult Run(params string[] args) => Run(null, args);

    /// <param name="environment">Variables set for the process on top of the test's own.</param>
    public static ToolResult Run(IReadOnlyDictionary<string, string>? environment, params string[] args) =>
        ToolProcess.Run("dotnet", [FarmBinaries.Cli, .. args], Options(environment), Patience);

    public static Task<ToolResult> RunAsync(IReadOnlyDictionary<string, string>? environment, TimeSpan timeout, params string[] args) =>
        ToolProcess.RunAsync("dotnet", [FarmBinaries.Cli, .. args], Options(environment), timeout);

    /// <summary>Starts <c>farm</c> and returns while it runs, so a test can wait for a line of its output.</summary>
    public static ToolProcess Start(IReadOnlyDictionary<string, string>? environment, params string[] args) =>
        ToolProcess.Start("dotnet", [FarmBinaries.Cli, .. args], Options(environment));

    /// <summary>
    /// Starts <c>farm</c> as a terminal does, with Ctrl+C (SIGINT) and SIGQUIT at their default handling: a test runner
    /// started in the background of a shell without job control ignores them, its children inherit that, and a
    /// process that starts with SIGINT ignored keeps ignoring it (as a <c>nohup</c>ed or background command should).
    /// </summary>
    public static ToolProcess StartAsInATerminal(IReadOnlyDictionary<string, string>? environment, params string[] args) =>
        ToolProcess.Start("env", ["--default-signal=INT,QUIT", "dotnet", FarmBinaries.Cli, .. args], Options(environment));

    private static ToolOptions Options(IReadOnlyDictionary<string, string>? environment) => new()
    {
        Environment = environment?.ToDictionary(v => v.Key, v => (string?)v.Value),
    };
}
