namespace VideoDiffusion.Farm.Abstractions.Api;

/// <summary>Sums over the farm view's silos; <see cref="Utilization"/> is the mean over all slots.</summary>
public sealed record FarmTotalsView
{
    public int Silos { get; init; }
    public int Slots { get; init; }
    public double Utilization { get; init; }
    public double BusySeconds { get; init; }
    public int QueuedWindowSteps { get; init; }
    public long WindowSteps { get; init; }
    public int RunningWindows { get; init; }

    /// <summary>Jobs of any tenant with windows running.</summary>
    public int Jobs { get; init; }
}
