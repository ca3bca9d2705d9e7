using System.Collections.Concurrent;

namespace VideoDiffusion.Farm.Cluster.Tests;

/// <summary>The same requests rendered by `farm render` in embedded mode: the oracle the cluster's output must equal.</summary>
public static class EmbeddedRenders
{
    private static readonly ConcurrentDictionary<string, Lazy<Task<string>>> Renders = new();

    /// <summary>Renders once per argument list (cached for the test run) and returns the output path.</summary>
    public static Task<string> RenderAsync(string extension, params string[] args) =>
        Renders.GetOrAdd(extension + "|" + string.Join('\u0001', args), _ => new Lazy<Task<string>>(async () =>
        {
            var output = Path.Combine(Path.GetTempPath(), $"farm-embedded-{Guid.NewGuid():N}.{extension}");
            var run = await CliRun.RunAsync(new Dictionary<string, string>(), TimeSpan.FromMinutes(10), ["render", .. args, "--out", output]);
            Assert.True(run.ExitCode == 0, "embedded render failed:\n" + run.Output);
            return output;
        })).Value;
}
