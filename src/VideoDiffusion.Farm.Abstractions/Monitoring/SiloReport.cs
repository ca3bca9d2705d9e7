using Orleans.Runtime;

namespace VideoDiffusion.Farm.Abstractions.Monitoring;

/// <summary>What one silo reports to the farm monitor each period: its slots' use, its executor's queue and the windows it runs.</summary>
[GenerateSerializer, Immutable]
public sealed record SiloReport
{
    /// <summary>The silo's name (<c>Farm:SiloName</c>).</summary>
    [Id(0)] public required string Name { get; init; }

    [Id(1)] public required SiloAddress Address { get; init; }

    /// <summary>When the silo took the snapshot (its own clock).</summary>
    [Id(2)] public required DateTimeOffset ReportedAt { get; init; }

    /// <summary>How often the silo reports; a snapshot older than three periods is dropped.</summary>
    [Id(3)] public required TimeSpan Period { get; init; }

    /// <summary>One reading per accelerator slot.</summary>
    [Id(4)] public required SlotReading[] Slots { get; init; }

    /// <summary>Seconds the slots spent inside inference calls since the silo started, summed over slots.</summary>
    [Id(5)] public required double BusySeconds { get; init; }

    /// <summary>Window-steps waiting for a slot now.</summary>
    [Id(6)] public required int QueuedWindowSteps { get; init; }

    /// <summary>Window-steps denoised since the silo started.</summary>
    [Id(7)] public required long WindowSteps { get; init; }

    /// <summary>Windows whose sampling loop runs on this silo now, per job.</summary>
    [Id(8)] public required JobWindows[] RunningWindows { get; init; }

    /// <summary>Whether the silo is stopping: it takes no new windows and hands its running ones over.</summary>
    [Id(9)] public bool Draining { get; init; }

    /// <summary>The models the silo serves, each with the silo's content hash of it.</summary>
    [Id(10)] public ModelInfo[] Models { get; init; } = [];

    /// <summary>
    /// Running jobs during which this silo saw another join: until they end, every silo below its share takes their
    /// windows. Reported so the silos that joined learn it too.
    /// </summary>
    [Id(11)] public string[] ScaledJobs { get; init; } = [];

    /// <summary>
    /// Of <see cref="RunningWindows"/>, those of chained passes (a job's critical path): each keeps a slot to itself, so
    /// balancing counts that slot as taken.
    /// </summary>
    [Id(12)] public int ChainedWindows { get; init; }
}
