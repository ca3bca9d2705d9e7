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
