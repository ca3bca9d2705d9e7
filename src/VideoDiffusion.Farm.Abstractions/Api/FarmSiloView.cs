namespace VideoDiffusion.Farm.Abstractions.Api;

/// <summary>One silo of the farm view.</summary>
public sealed record FarmSiloView
{
    public required string Name { get; init; }
    public string Address { get; init; } = "";
    public int Slots { get; init; }

    /// <summary>Busy share of the silo's slots over the last 10 s, 0 to 1 (mean over slots).</summary>
    public double Utilization { get; init; }

    /// <summary>Busy share of each slot over the last 10 s.</summary>
    public IReadOnlyList<double> SlotUtilization { get; init; } = [];

    /// <summary>Busy share (mean over slots) per <see cref="FarmView.SeriesStepSeconds"/> for up to the last 5 minutes, oldest first.</summary>
    public IReadOnlyList<double> UtilizationSeries { get; init; } = [];

    /// <summary>Seconds the slots spent inside inference calls since the silo started.</summary>
    public double BusySeconds { get; init; }
    public int QueuedWindowSteps { get; init; }

    /// <summary>Window-steps denoised since the silo started.</summary>
    public long WindowSteps { get; init; }

    /// <summary>Windows of any tenant running on the silo now.</summary>
    public int RunningWindows { get; init; }
    public DateTimeOffset ReportedAt { get; init; }
}
