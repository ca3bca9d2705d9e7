namespace VideoDiffusion.Farm.Cluster.Tests;

/// <summary>Where the silo, gateway and CLI builds are: beside this test build, in the same configuration.</summary>
public static class FarmBinaries
{
    private static string Configuration => AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}") ? "Debug" : "Release";

    public static string Silo => Dll("VideoDiffusion.Farm.Silo");

    public static string Gateway => Dll("VideoDiffusion.Farm.Gateway");

    public static string Cli => Path.Combine(RepositoryPaths.Root, "src", "VideoDiffusion.Farm.Cli", "bin", Configuration, "net10.0", "farm.dll");

    private static string Dll(string project)
    {
        var path = Path.Combine(RepositoryPaths.Root, "src", project, "bin", Configuration, "net10.0", project + ".dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"{project} is not built ({path}): run dotnet build first", path);
    }
}
