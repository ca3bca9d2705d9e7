namespace VideoDiffusion.Farm.Hosting.Embedded;

/// <summary>How an in-process farm is laid out: silos, their slots and threads, where models and artifacts live.</summary>
public sealed record EmbeddedFarmOptions
{
    public int Silos { get; init; } = 1;
    public int SlotsPerSilo { get; init; } = 1;
    public int ThreadsPerSlot { get; init; } = Math.Max(1, Environment.ProcessorCount);
    public int MaxBatch { get; init; } = 8;
    public int CheckpointEvery { get; init; } = 5;

    /// <summary><c>cpu</c>, <c>cuda</c>, <c>tensorrt</c>, or <c>simulated</c> (a device profile's timing, see <c>SimulatedAccelerator</c>).</summary>
    public string ExecutionProvider { get; init; } = "cpu";

    /// <summary>With the simulated provider: wall seconds per device second (null: the profile's).</summary>
    public double? SimulatedTimeScale { get; init; }

    /// <summary>Models (folder names under <see cref="ModelsRoot"/>) the slots load while the silos start; null: the silo's default.</summary>
    public IReadOnlyList<string>? PreloadModels { get; init; }

    public required string ModelsRoot { get; init; }

    /// <summary>
    /// Configuration over the environment's (keys such as <c>Farm:Telemetry:Enabled</c>, <c>Farm:Telemetry:MetricsPort</c>).
    /// In-process the metrics endpoint is off unless a port is given, so several renders never fight over one port.
    /// </summary>
    public IReadOnlyDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>();
}
