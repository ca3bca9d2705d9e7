namespace VideoDiffusion.Farm.Abstractions.Api;

/// <summary>
/// The body of <c>GET /v1/farm</c>: every live silo with accelerator slots, farm totals, the caller's running jobs,
/// and other tenants' work as counts only.
/// </summary>
public sealed record FarmView
{
    /// <summary>When the gateway put the view together.</summary>
    public DateTimeOffset At { get; init; }

    /// <summary>The span of each point of a silo's <see cref="FarmSiloView.UtilizationSeries"/>.</summary>
    public double SeriesStepSeconds { get; init; }
    public IReadOnlyList<FarmSiloView> Silos { get; init; } = [];
    public required FarmTotalsView Totals { get; init; }

    /// <summary>The caller's jobs with windows running now.</summary>
    public IReadOnlyList<FarmJobView> Jobs { get; init; } = [];

    /// <summary>Other tenants' running work, as counts.</summary>
    public required FarmOthersView OtherTenants { get; init; }
}

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

/// <summary>One of the caller's running jobs: its windows running now, in all and per silo.</summary>
public sealed record FarmJobView
{
    public required string Id { get; init; }
    public int RunningWindows { get; init; }
    public IReadOnlyDictionary<string, int> Silos { get; init; } = new Dictionary<string, int>();
}

/// <summary>Other tenants' running jobs and windows, counted; never their ids, prompts or names.</summary>
public sealed record FarmOthersView(int Jobs, int RunningWindows);
