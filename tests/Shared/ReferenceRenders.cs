using System.Collections.Concurrent;

namespace VideoDiffusion.Farm.Tests.Shared;

/// <summary>
/// The oracle every farm render is compared with: the same request rendered by the single-process reference engine,
/// <c>farm render --engine reference</c>. Rendered once per argument list for the test run.
/// </summary>
public static class ReferenceRenders
{
    private static readonly ConcurrentDictionary<string, Lazy<Task<string>>> Renders = new();
    private static readonly Lazy<string> Folder = new(() =>
    {
        var folder = Directory.CreateTempSubdirectory("farm-reference-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => TempFolder.TryDelete(folder);
        return folder;
    });

    /// <summary>The path of the reference render of <c>farm render</c> <paramref name="args"/> as <c>.<paramref name="extension"/></c> (y4m: lossless, mp4: H.264).</summary>
    public static Task<string> FileAsync(string extension, params string[] args) =>
        Renders.GetOrAdd(extension + "|" + string.Join('\u0001', args), _ => new Lazy<Task<string>>(async () =>
        {
            var output = Path.Combine(Folder.Value, $"{Guid.NewGuid():N}.{extension}");
            var run = await FarmCli.RunAsync(null, FarmCli.Patience, ["render", .. args, "--engine", "reference", "--out", output]);
            Assert.True(run.ExitCode == 0, $"the reference render of `farm render {string.Join(' ', args)}` failed:\n{run.Transcript}");
            return output;
        })).Value;

    /// <summary>The bytes of the lossless reference render of <c>farm render</c> <paramref name="args"/>.</summary>
    public static async Task<byte[]> Y4mAsync(params string[] args) => await File.ReadAllBytesAsync(await FileAsync("y4m", args));
}
