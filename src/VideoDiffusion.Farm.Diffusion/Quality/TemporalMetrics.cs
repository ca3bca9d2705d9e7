using VideoDiffusion.Farm.Diffusion.Planning;
using VideoDiffusion.Farm.Diffusion.Tensors;

namespace VideoDiffusion.Farm.Diffusion.Quality;

/// <summary>Seam and drift measures of a decoded long video.</summary>
public sealed record TemporalQuality(double MeanFrameDifference, double BoundaryFrameDifference, double InsideFrameDifference, double SeamRatio, double ColourDrift, IReadOnlyList<double> FrameDifferences);

/// <summary>Temporal quality metrics: consecutive-frame differences, seam ratio, colour drift.</summary>
public static class TemporalMetrics
{
    /// <summary>Mean absolute RGB difference between frame t and t + 1, for every t.</summary>
    public static double[] FrameDifferences(RgbVideo video)
    {
        var result = new double[Math.Max(0, video.Frames - 1)];
        for (var t = 0; t + 1 < video.Frames; t++)
        {
            result[t] = MeanAbsoluteDifference(video.Frame(t), video.Frame(t + 1));
        }
        return result;
    }

    public static double MeanAbsoluteDifference(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        long sum = 0;
        for (var i = 0; i < a.Length; i++)
        {
            sum += Math.Abs(a[i] - b[i]);
        }
        return (double)sum / a.Length;
    }

    /// <summary>
    /// Pixel-frame transitions across the switch from one window to the next: from the last frame before their overlap
    /// to the first frame after it (with no overlap, the single transition between them). This is where a seam shows,
    /// whether the windows were fused during sampling or cross-faded at the end. Latent frame f is pixel frames
    /// [f·k, f·k + k).
    /// </summary>
    public static SortedSet<int> BoundaryTransitions(WindowPlan plan, int temporalFactor, int pixelFrames)
    {
        var result = new SortedSet<int>();
        for (var i = 0; i + 1 < plan.Windows.Count; i++)
        {
            var from = plan.Windows[i + 1].Start * temporalFactor - 1;
            var to = plan.Windows[i].End * temporalFactor - 1;
            for (var t = from; t <= Math.Max(from, to); t++)
            {
                result.Add(t);
            }
        }
        result.RemoveWhere(t => t < 0 || t + 1 >= pixelFrames);
        return result;
    }

    public static TemporalQuality Measure(RgbVideo video, WindowPlan plan, int temporalFactor)
    {
        var accumulator = new TemporalMetricsAccumulator(plan, temporalFactor, video.Frames);
        for (var t = 0; t < video.Frames; t++)
        {
            accumulator.Add(video.Frame(t));
        }
        return accumulator.Result();
    }

    /// <summary>Distance between the mean RGB colour of the first and the last tenth of the video.</summary>
    public static double ColourDrift(RgbVideo video) =>
        Measure(video, WindowPlanner.Plan(Math.Max(1, video.Frames), Math.Max(1, video.Frames), 0), 1).ColourDrift;

    /// <summary>Adds a frame's RGB sums to <paramref name="sum"/>.</summary>
    public static void AddColour(ReadOnlySpan<byte> frame, double[] sum)
    {
        for (var i = 0; i < frame.Length; i += 3)
        {
            sum[0] += frame[i];
            sum[1] += frame[i + 1];
            sum[2] += frame[i + 2];
        }
    }
}
