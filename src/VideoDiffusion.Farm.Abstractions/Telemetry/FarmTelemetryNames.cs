namespace VideoDiffusion.Farm.Abstractions.Telemetry;

/// <summary>Names of the farm's meter and activity source, shared by the code that records and the hosts that export.</summary>
public static class FarmTelemetryNames
{
    /// <summary>The farm's own instruments (<c>farm.*</c>, <c>hw.gpu.*</c>).</summary>
    public const string Meter = "VideoDiffusion.Farm";

    /// <summary>Spans per job, window pass and executor batch.</summary>
    public const string ActivitySource = "VideoDiffusion.Farm";

    /// <summary>Orleans' own instruments (activations, messaging, request latency).</summary>
    public const string OrleansMeter = "Microsoft.Orleans";

    /// <summary>Orleans' grain-call spans, which carry a trace from one silo to the next.</summary>
    public static readonly string[] OrleansActivitySources = ["Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application"];
}
