using Microsoft.Extensions.Diagnostics.HealthChecks;
using VideoDiffusion.Farm.Grains.Execution;

namespace VideoDiffusion.Farm.Hosting.Readiness;

/// <summary>
/// The silo's <c>/healthz</c>, second half: healthy once every accelerator slot has loaded the silo's models on its
/// execution provider. A silo that cannot (a broken model, <c>cuda</c> on a machine without a GPU) says why and is never
/// ready, so it is not sent windows it would fail.
/// </summary>
public sealed class AcceleratorReadinessCheck(DenoiseExecutor executor) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(executor.ModelsLoaded.Status switch
        {
            TaskStatus.RanToCompletion => HealthCheckResult.Healthy($"{executor.Slots} slot(s) loaded their models"),
            TaskStatus.Faulted => HealthCheckResult.Unhealthy("a model did not load: " + executor.ModelsLoaded.Exception!.GetBaseException().Message),
            _ => HealthCheckResult.Unhealthy("loading models"),
        });
}
