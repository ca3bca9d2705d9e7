using System.Diagnostics;

namespace VideoDiffusion.Farm.Diffusion.Rendering;

/// <summary>Wall time per phase and work counters of one render.</summary>
public sealed class RenderTimings
{
    public TimeSpan TextEncoding { get; set; }
    public TimeSpan Denoising { get; set; }
    public TimeSpan Fusion { get; set; }
    public TimeSpan Decoding { get; set; }
    public TimeSpan Encoding { get; set; }
    public TimeSpan Total { get; set; }
    public long WindowSteps { get; set; }
    public long DenoiserCalls { get; set; }

    public double WindowStepsPerSecond => Denoising.TotalSeconds > 0 ? WindowSteps / Denoising.TotalSeconds : 0;

    /// <summary>Runs <paramref name="action"/> and returns its wall time.</summary>
    public static TimeSpan Measure(Action action)
    {
        var started = Stopwatch.GetTimestamp();
        action();
        return Stopwatch.GetElapsedTime(started);
    }
}
