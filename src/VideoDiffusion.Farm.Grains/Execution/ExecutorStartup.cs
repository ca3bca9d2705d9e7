using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using VideoDiffusion.Farm.Grains.Telemetry;

namespace VideoDiffusion.Farm.Grains.Execution;

/// <summary>
/// Creates the silo's denoise executor when the host starts, so its slots and gauges exist before the first window,
/// and starts the silo's counter series at 0.
/// </summary>
public sealed class ExecutorStartup(DenoiseExecutor executor, IOptions<AcceleratorOptions> options) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        FarmMetrics.StartSeries(executor.Silo, options.Value.PreloadModels);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
