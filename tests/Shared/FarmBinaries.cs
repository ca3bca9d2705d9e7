namespace VideoDiffusion.Farm.Tests.Shared;

/// <summary>Where the silo, gateway and CLI builds are: their own build output, in the configuration of this test build.</summary>
public static class FarmBinaries
{
    private static string Configuration => AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}") ? "Debug" : "Release";

    public static string Silo => Dll("VideoDiffusion.Farm.Silo", "VideoDiffusion.Farm.Silo");

    public static string Gateway => Dll("VideoDiffusion.Farm.Gateway", "VideoDiffusion.Farm.Gateway");

    public static string Cli => Dll("VideoDiffusion.Farm.Cli", "farm");

    /// <summary>A project's built assembly, run with <c>dotnet</c>; the test project references the project so that it is built first.</summary>
    private static string Dll(string project, string assembly)
    {
        var path = Path.Combine(RepositoryPaths.Root, "src", project, "bin", Configuration, "net10.0", assembly + ".dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"{project} is not built ({path}): run dotnet build first", path);
    }
}
