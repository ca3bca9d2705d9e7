namespace VideoDiffusion.Farm.Cluster.Tests.Contract;

/// <summary>The gateway is a thin front: its build output carries no inference runtime.</summary>
public sealed class GatewayBuildTests
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
}
