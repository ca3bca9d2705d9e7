namespace VideoDiffusion.Farm.Diffusion.Tests;

/// <summary>Locates the repository (and its shipped models) from the test's output folder.</summary>
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

    public static string Model(string name) => Path.Combine(Root, "models", name);

    public static string MoonwalkTiny => Model("moonwalk-tiny");
}
