namespace VideoDiffusion.Farm.Tests.Shared;

/// <summary>Locates the repository (and its shipped models) from a test's output folder; linked into every test project.</summary>
public static class RepositoryPaths
{
    public static string Root
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "VideoDiffusion.Farm.sln")))
                {
                    return dir.FullName;
                }
            }
            throw new DirectoryNotFoundException("repository root (VideoDiffusion.Farm.sln) not found above " + AppContext.BaseDirectory);
        }
    }

    public static string ModelsRoot => Path.Combine(Root, "models");

    public static string Model(string name) => Path.Combine(ModelsRoot, name);

    public static string MoonwalkTiny => Model("moonwalk-tiny");
}
