using Microsoft.Extensions.Hosting;

namespace VideoDiffusion.Farm.Grains.Execution;

/// <summary>Creates the silo's denoise executor when the host starts, so its slots and gauges exist before the first window.</summary>
public sealed class ExecutorStartup(DenoiseExecutor executor) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.FromResult(executor.Slots);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
