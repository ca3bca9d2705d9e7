namespace VideoDiffusion.Farm.Cli.Rendering;

/// <summary>Finds model folders (an explicit path, FARM_MODELS, or the repository's models/ above here) and the repository's other files.</summary>
public static class ModelLocator
{
    public const string DefaultModel = "moonwalk-tiny";

    public static string Resolve(string? model)
    {
        var name = string.IsNullOrWhiteSpace(model) ? DefaultModel : model;
        if (Directory.Exists(name))
        {
            return Path.GetFullPath(name);
        }
        var roots = new List<string>();
        if (Environment.GetEnvironmentVariable("FARM_MODELS") is { Length: > 0 } env)
        {
            roots.Add(env);
        }
        roots.AddRange(Ancestors().Select(dir => Path.Combine(dir, "models")));
        var leaf = Path.GetFileName(name.TrimEnd('/'));
        foreach (var root in roots)
        {
            var candidate = Path.Combine(root, leaf);
            if (File.Exists(Path.Combine(candidate, "manifest.json")))
            {
                return candidate;
            }
        }
        return Path.GetFullPath(name); // the loader reports it missing, by name
    }

    /// <summary>
    /// The file at <paramref name="relativePath"/> under the nearest folder, from here or from the binary upwards, that
    /// has it (the repository's root, wherever inside it the command runs); null when none has.
    /// </summary>
    public static string? RepositoryFile(string relativePath) =>
        Ancestors().Select(dir => Path.Combine(dir, relativePath)).FirstOrDefault(File.Exists);

    /// <summary>The working folder and its parents, then the binary's folder and its parents.</summary>
    private static IEnumerable<string> Ancestors()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                yield return dir.FullName;
            }
        }
    }
}
