using System.Diagnostics;

namespace VideoDiffusion.Farm.Cluster.Tests;

/// <summary>A silo process told <c>Farm:Kubernetes=true</c> outside a pod refuses to start with one line and a non-zero exit.</summary>
public sealed class SiloKubernetesModeTests
{
    [Fact]
    public async Task OutsideAPodKubernetesModeExitsWithOneClearLine()
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryPaths.Root,
        };
        foreach (var argument in new[] { FarmBinaries.Silo, "--Farm:Kubernetes=true", "--Farm:Telemetry:MetricsPort=0", "--Farm:Accelerator:ModelsRoot=" + RepositoryPaths.ModelsRoot })
        {
            info.ArgumentList.Add(argument);
        }
        info.Environment.Remove("KUBERNETES_SERVICE_HOST");
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(timeout.Token);
        Assert.NotEqual(0, process.ExitCode);
        var line = Assert.Single((await stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("error: Farm:Kubernetes=true, but this process is not in a Kubernetes pod: KUBERNETES_SERVICE_HOST is not set", line.TrimEnd());
        Assert.Equal("", (await stdout).Trim());
    }
}
