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
            var a = video.Frame(t);
            var b = video.Frame(t + 1);
            long sum = 0;
            for (var i = 0; i < a.Length; i++)
            {
                sum += Math.Abs(a[i] - b[i]);
            }
            result[t] = (double)sum / a.Length;
        }
        return result;
    }

    /// <summary>
    /// Pixel-frame transitions where the set of windows a frame belongs to changes (a window starts or ends): where a
    /// seam would show. Latent frame f maps to pixel frames [f·k, f·k + k).
    /// </summary>
    public static SortedSet<int> BoundaryTransitions(WindowPlan plan, int temporalFactor, int pixelFrames)
    {
        var result = new SortedSet<int>();
        for (var i = 0; i < plan.Windows.Count; i++)
        {
            var w = plan.Windows[i];
            if (i > 0)
            {
                result.Add(w.Start * temporalFactor - 1);
            }
            if (i + 1 < plan.Windows.Count)
            {
                result.Add(w.End * temporalFactor - 1);
            }
        }
        result.RemoveWhere(t => t < 0 || t + 1 >= pixelFrames);
        return result;
    }

    public static TemporalQuality Measure(RgbVideo video, WindowPlan plan, int temporalFactor)
    {
        var diffs = FrameDifferences(video);
        var boundaries = BoundaryTransitions(plan, temporalFactor, video.Frames);
        double boundarySum = 0, insideSum = 0;
        int boundaryCount = 0, insideCount = 0;
        for (var t = 0; t < diffs.Length; t++)
        {
            if (boundaries.Contains(t))
            {
                boundarySum += diffs[t];
                boundaryCount++;
            }
            else
            {
                insideSum += diffs[t];
                insideCount++;
            }
        }
        var boundaryMean = boundaryCount > 0 ? boundarySum / boundaryCount : 0;
        var insideMean = insideCount > 0 ? insideSum / insideCount : 0;
        var seamRatio = boundaryCount == 0 ? 1.0 : insideMean > 0 ? boundaryMean / insideMean : double.PositiveInfinity;
        return new TemporalQuality(diffs.Length > 0 ? diffs.Average() : 0, boundaryMean, insideMean, seamRatio, ColourDrift(video), diffs);
    }

    /// <summary>Distance between the mean RGB colour of the first and the last tenth of the video.</summary>
    public static double ColourDrift(RgbVideo video)
    {
        var n = Math.Max(1, video.Frames / 10);
        var first = MeanColour(video, 0, n);
        var last = MeanColour(video, video.Frames - n, n);
        return Math.Sqrt(Enumerable.Range(0, 3).Sum(c => (first[c] - last[c]) * (first[c] - last[c])));
    }

    public static double[] MeanColour(RgbVideo video, int start, int count)
    {
        var sum = new double[3];
        for (var t = start; t < start + count; t++)
        {
            var f = video.Frame(t);
            for (var i = 0; i < f.Length; i += 3)
            {
                sum[0] += f[i];
                sum[1] += f[i + 1];
                sum[2] += f[i + 2];
            }
        }
        var pixels = (double)count * video.Width * video.Height;
        return [sum[0] / pixels, sum[1] / pixels, sum[2] / pixels];
    }
}
