using Microsoft.Extensions.Diagnostics.HealthChecks;
using Orleans.Runtime;

namespace VideoDiffusion.Farm.Hosting.Readiness;

/// <summary>The silo's <c>/healthz</c>: healthy once it is an active member of the cluster.</summary>
public sealed class SiloReadinessCheck(ISiloStatusOracle membership) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(membership.CurrentStatus == SiloStatus.Active
            ? HealthCheckResult.Healthy($"{membership.SiloName} is active")
            : HealthCheckResult.Unhealthy($"{membership.SiloName} is {membership.CurrentStatus}, not an active member of the cluster"));
}
