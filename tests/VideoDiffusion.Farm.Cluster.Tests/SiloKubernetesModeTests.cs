namespace VideoDiffusion.Farm.Cluster.Tests;

/// <summary>A silo process told <c>Farm:Kubernetes=true</c> outside a pod refuses to start with one line and a non-zero exit.</summary>
public sealed class SiloKubernetesModeTests
{
    [Fact]
    public async Task OutsideAPodKubernetesModeExitsWithOneClearLine()
    {
        var silo = await ToolProcess.RunAsync(
            "dotnet",
            [FarmBinaries.Silo, "--Farm:Kubernetes=true", "--Farm:Telemetry:MetricsPort=0", "--Farm:Accelerator:ModelsRoot=" + RepositoryPaths.ModelsRoot],
            new ToolOptions { Environment = new Dictionary<string, string?> { ["KUBERNETES_SERVICE_HOST"] = null } },
            TimeSpan.FromMinutes(1));
        Assert.NotEqual(0, silo.ExitCode);
        var line = Assert.Single(silo.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("error: Farm:Kubernetes=true, but this process is not in a Kubernetes pod: KUBERNETES_SERVICE_HOST is not set", line.TrimEnd());
        Assert.Equal("", silo.Output.Trim());
    }
}
