namespace VideoDiffusion.Farm.Cli.Rendering;

/// <summary>Finds model folders: an explicit path, FARM_MODELS, or the repository's models/ above here.</summary>
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
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                roots.Add(Path.Combine(dir.FullName, "models"));
            }
        }
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
}
