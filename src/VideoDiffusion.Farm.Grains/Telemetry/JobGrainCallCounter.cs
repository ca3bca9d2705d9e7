using System.Diagnostics.Metrics;
using VideoDiffusion.Farm.Abstractions.Telemetry;

namespace VideoDiffusion.Farm.Grains.Telemetry;

/// <summary>Counts calls into the job grains of the silos in this process (the <c>farm.job_grain.calls</c> meter) while it lives.</summary>
public sealed class JobGrainCallCounter : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _calls;

    public JobGrainCallCounter()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == FarmTelemetryNames.Meter && instrument.Name == "farm.job_grain.calls")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _calls, value));
        _listener.Start();
    }

    public long Calls => Interlocked.Read(ref _calls);

    public void Dispose() => _listener.Dispose();
}
