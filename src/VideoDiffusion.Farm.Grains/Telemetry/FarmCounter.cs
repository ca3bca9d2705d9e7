using System.Diagnostics.Metrics;
using VideoDiffusion.Farm.Abstractions.Telemetry;

namespace VideoDiffusion.Farm.Grains.Telemetry;

/// <summary>Sums one counter of the farm's meter (for example <c>farm.job_grain.calls</c>) over the silos in this process while it lives.</summary>
public sealed class FarmCounter : IDisposable
{
    public const string JobGrainCalls = "farm.job_grain.calls";
    public const string WindowMoves = "farm.window.moves";
    public const string RecomputedSteps = "farm.window.recomputed_steps";

    private readonly MeterListener _listener = new();
    private long _total;

    public FarmCounter(string instrument)
    {
        _listener.InstrumentPublished = (published, listener) =>
        {
            if (published.Meter.Name == FarmTelemetryNames.Meter && published.Name == instrument)
            {
                listener.EnableMeasurementEvents(published);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _total, value));
        _listener.Start();
    }

    public long Total => Interlocked.Read(ref _total);

    public void Dispose() => _listener.Dispose();
}
