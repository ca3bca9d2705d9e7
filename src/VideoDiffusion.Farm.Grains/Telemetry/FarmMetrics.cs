using System.Diagnostics.Metrics;

namespace VideoDiffusion.Farm.Grains.Telemetry;

/// <summary>The farm's meters (exported by whatever metrics pipeline the host configures).</summary>
public static class FarmMetrics
{
    public const string MeterName = "VideoDiffusion.Farm";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>Windows that resumed from a stored checkpoint (after their silo was lost).</summary>
    public static readonly Counter<long> WindowResumes = Meter.CreateCounter<long>("farm.window.resumes");

    /// <summary>Overlap messages sent between neighbouring windows.</summary>
    public static readonly Counter<long> EdgesSent = Meter.CreateCounter<long>("farm.window.edges_sent");

    /// <summary>Edges a window asked its neighbour for after waiting too long for the push (a push lost with a silo).</summary>
    public static readonly Counter<long> EdgePulls = Meter.CreateCounter<long>("farm.window.edge_pulls");

    /// <summary>Window checkpoints written.</summary>
    public static readonly Counter<long> Checkpoints = Meter.CreateCounter<long>("farm.window.checkpoints");
}
