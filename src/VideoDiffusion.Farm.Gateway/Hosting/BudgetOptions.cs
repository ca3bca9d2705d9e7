namespace VideoDiffusion.Farm.Gateway.Hosting;

/// <summary>
/// Per-tenant cost budget (<c>Farm:Gateway:Budget</c>): window-steps and output pixels (frames × width × height after
/// <c>scale</c>) per job (400 beyond) and over the tenant's unfinished jobs (429 beyond); 0 means no limit.
/// </summary>
public sealed class BudgetOptions
{
    /// <summary>About a 600 s clip at 8 fps with 20 steps on the built-in model is 3,000 window-steps.</summary>
    public long MaxWindowStepsPerJob { get; set; } = 20_000;

    /// <summary>600 s at 8 fps in 512 × 512 is 1.26 billion pixels; 600 s at 60 fps in 1024 × 1024 is 38 billion.</summary>
    public long MaxOutputPixelsPerJob { get; set; } = 1_500_000_000;

    public long MaxWindowStepsInFlight { get; set; } = 40_000;

    public long MaxOutputPixelsInFlight { get; set; } = 3_000_000_000;
}
