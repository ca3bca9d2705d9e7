namespace VideoDiffusion.Farm.ServiceDefaults;

/// <summary>Command-line arguments every host of the farm is built with, on top of its own.</summary>
public static class HostArguments
{
    /// <summary>
    /// Configuration files are read once, not watched: a watched <c>appsettings.json</c> puts a recursive file watcher
    /// on the content root, the working directory, which took two seconds per in-process silo started from a folder
    /// with many subfolders (such as a home directory or <c>/tmp</c>) and one inotify watch per subfolder. The farm's
    /// hosts never reload configuration; a change takes a restart (a Kubernetes rollout).
    /// </summary>
    public const string NoConfigurationReload = "--hostBuilder:reloadConfigOnChange=false";

    /// <summary><paramref name="args"/> followed by the farm's own host arguments.</summary>
    public static string[] With(params string[] args) => [.. args, NoConfigurationReload];
}
