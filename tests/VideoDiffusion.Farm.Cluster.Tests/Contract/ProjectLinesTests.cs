using System.Xml.Linq;

namespace VideoDiffusion.Farm.Cluster.Tests.Contract;

/// <summary>Project lines that keep each process lean: the gateway carries no inference runtime, the CLI no silo executable.</summary>
public sealed class ProjectLinesTests
{
    [Fact]
    public void GatewayBuildOutputHasNoOnnxRuntime()
    {
        var output = Path.GetDirectoryName(FarmBinaries.Gateway)!;
        var onnx = Directory.EnumerateFiles(output, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f).Contains("onnxruntime", StringComparison.OrdinalIgnoreCase))
            .Select(f => Path.GetRelativePath(output, f))
            .ToList();
        Assert.True(onnx.Count == 0, string.Join('\n', onnx));
    }

    [Fact]
    public void CliDoesNotReferenceTheSiloProject()
    {
        var project = XDocument.Load(Path.Combine(RepositoryPaths.Root, "src", "VideoDiffusion.Farm.Cli", "VideoDiffusion.Farm.Cli.csproj"));
        var references = project.Descendants("ProjectReference").Select(r => (string?)r.Attribute("Include") ?? "").ToList();
        Assert.NotEmpty(references);
        Assert.DoesNotContain(references, r => r.Contains("VideoDiffusion.Farm.Silo", StringComparison.Ordinal));
        Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(FarmBinaries.Cli)!, "VideoDiffusion.Farm.Silo.dll")),
            "the CLI's build output holds the silo executable's assembly");
    }
}
