using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using VideoDiffusion.Farm.Grains.Execution;
using VideoDiffusion.Farm.Hosting.Readiness;

namespace VideoDiffusion.Farm.Grains.Tests;

/// <summary>A silo is ready only when its slots have loaded its models; one that cannot says why and never becomes ready.</summary>
public sealed class AcceleratorReadinessTests
{
    private static async Task<HealthCheckResult> ReadinessAsync(AcceleratorOptions accelerator)
    {
        var options = Options.Create(accelerator);
        using var executor = new DenoiseExecutor(options, new ModelCatalog(options), NullLogger<DenoiseExecutor>.Instance);
        try
        {
            await executor.ModelsLoaded.WaitAsync(TimeSpan.FromMinutes(2));
        }
        catch (Exception) when (executor.ModelsLoaded.IsFaulted)
        {
            // reported by the check below
        }
        return await new AcceleratorReadinessCheck(executor).CheckHealthAsync(new HealthCheckContext());
    }

    [Fact]
    public async Task ReadyOnceTheModelsAreLoaded()
    {
        var result = await ReadinessAsync(new AcceleratorOptions { Slots = 2, ModelsRoot = RepositoryPaths.ModelsRoot });
        Assert.Equal(HealthStatus.Healthy, result.Status);
    }

    [Fact]
    public async Task ABrokenModelFileKeepsTheSiloUnreadyAndNamesTheFile()
    {
        var root = Directory.CreateTempSubdirectory("farm-broken-model-").FullName;
        try
        {
            var model = Path.Combine(root, "moonwalk-tiny");
            Directory.CreateDirectory(model);
            foreach (var file in Directory.GetFiles(Path.Combine(RepositoryPaths.ModelsRoot, "moonwalk-tiny")))
            {
                File.Copy(file, Path.Combine(model, Path.GetFileName(file)));
            }
            await File.WriteAllBytesAsync(Path.Combine(model, "denoiser.onnx"), new byte[] { 1, 2, 3 });
            var result = await ReadinessAsync(new AcceleratorOptions { Slots = 1, ModelsRoot = root });
            Assert.Equal(HealthStatus.Unhealthy, result.Status);
            Assert.Contains("denoiser.onnx", result.Description);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task AnExecutionProviderThisMachineLacksKeepsTheSiloUnready()
    {
        var result = await ReadinessAsync(new AcceleratorOptions { Slots = 1, ModelsRoot = RepositoryPaths.ModelsRoot, ExecutionProvider = "cuda" });
        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Contains("cuda", result.Description, StringComparison.OrdinalIgnoreCase);
    }
}
