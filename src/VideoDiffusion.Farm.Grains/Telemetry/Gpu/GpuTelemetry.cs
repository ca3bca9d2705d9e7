using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace VideoDiffusion.Farm.Grains.Telemetry.Gpu;

/// <summary>
/// On a machine with an NVIDIA driver: <c>hw.gpu.utilization</c>, <c>hw.gpu.memory.usage</c> and
/// <c>hw.gpu.memory.limit</c> (OpenTelemetry hardware conventions) from NVML, sampled each second. Without NVML the
/// instruments are never created and one information line says why; nothing fails.
/// </summary>
public sealed class GpuTelemetry(ILogger<GpuTelemetry> logger) : IHostedService, IDisposable
{
    private INvmlLibrary? _library;
    private GpuSampler? _sampler;
    private Timer? _timer;
    private volatile IReadOnlyList<GpuReading> _latest = [];

    /// <summary>Whether the <c>hw.gpu.*</c> instruments exist.</summary>
    public bool Active => _sampler is not null;

    public IReadOnlyList<GpuReading> Latest => _latest;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var library = NativeNvml.TryLoad(out var reason);
        if (library is null)
        {
            logger.LogInformation("GPU metrics off: {Reason}", reason);
            return Task.CompletedTask;
        }
        _library = library;
        _sampler = new GpuSampler(library);
        Sample();
        logger.LogInformation("GPU metrics on: {Count} GPU(s) through NVML", _latest.Count);
        FarmMetrics.CreateGpuInstruments(() => _latest);
        _timer = new Timer(_ => Sample(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        return Task.CompletedTask;
    }

    private void Sample()
    {
        var readings = _sampler!.Read();
        if (_sampler.LastError != 0)
        {
            logger.LogDebug("NVML status {Status} while sampling", _sampler.LastError);
        }
        _latest = readings;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _timer?.Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _timer?.Dispose();
        (_library as IDisposable)?.Dispose();
    }

    /// <summary>Measurements of one instrument over the latest readings.</summary>
    internal static IEnumerable<Measurement<T>> Measure<T>(IReadOnlyList<GpuReading> readings, Func<GpuReading, T> value) where T : struct =>
        readings.Select(r => new Measurement<T>(value(r), new KeyValuePair<string, object?>("hw.id", r.Id),
            new KeyValuePair<string, object?>("hw.name", r.Name), new KeyValuePair<string, object?>("hw.type", "gpu")));
}
