using VideoDiffusion.Farm.Diffusion.Tensors;

namespace VideoDiffusion.Farm.Cli.Evaluation;

/// <summary>A background: its sky and ground colours (space has the sky colour everywhere).</summary>
public sealed record BackgroundColours(byte[] Sky, byte[] Ground);

/// <summary>
/// Judges a clip of a palette world by colour: the background by the nearest mean colour of the top and bottom bands,
/// a subject by pixels near its palette colour, a direction by a linear fit of the subject's x centroid.
/// </summary>
public sealed class PaletteScorer(IReadOnlyDictionary<string, byte[]> palette, IReadOnlyDictionary<string, BackgroundColours> backgrounds, (int From, int To) skyRows, (int From, int To) groundRows)
{
    public const double ColourDistance = 70;
    public const int MinimumPixels = 4;
    public const int MinimumSubjectPixels = 6;

    public string Background(RgbVideo video, int firstFrame = 0)
    {
        var sky = BandMean(video, skyRows, firstFrame);
        var ground = BandMean(video, groundRows, firstFrame);
        return backgrounds.MinBy(b => Distance(sky, b.Value.Sky) + Distance(ground, b.Value.Ground)).Key;
    }

    /// <summary>Fraction of frames with at least 4 pixels within RGB distance 70 of the colour.</summary>
    public double ColourPresence(RgbVideo video, string colour, int firstFrame = 0)
    {
        var present = 0;
        for (var t = firstFrame; t < video.Frames; t++)
        {
            present += Centroid(video, t, palette[colour]) is not null ? 1 : 0;
        }
        return (double)present / Math.Max(1, video.Frames - firstFrame);
    }

    /// <summary>−1, 0 or +1; steps of more than a quarter of the width are wrap-arounds and ignored.</summary>
    public int Direction(RgbVideo video, string colour, int firstFrame = 0)
    {
        var xs = new List<double>();
        for (var t = firstFrame; t < video.Frames; t++)
        {
            if (Centroid(video, t, palette[colour]) is { } x)
            {
                xs.Add(x);
            }
        }
        if (xs.Count < 3)
        {
            return 0;
        }
        var track = new double[xs.Count];
        for (var i = 1; i < xs.Count; i++)
        {
            var step = xs[i] - xs[i - 1];
            track[i] = track[i - 1] + (Math.Abs(step) > video.Width / 4.0 ? 0 : step);
        }
        var meanI = (track.Length - 1) / 2.0;
        var meanX = track.Average();
        double num = 0, den = 0;
        for (var i = 0; i < track.Length; i++)
        {
            num += (i - meanI) * (track[i] - meanX);
            den += (i - meanI) * (i - meanI);
        }
        var slope = num / den;
        return Math.Abs(slope) <= 0.05 ? 0 : Math.Sign(slope);
    }

    /// <summary>
    /// How many separate shapes of the colour a frame shows: 8-connected groups of at least 6 pixels near it. The
    /// world has one subject per clip, so more than one means the model grew extra copies.
    /// </summary>
    public int SubjectCount(RgbVideo video, int t, string colour)
    {
        int width = video.Width, height = video.Height;
        var near = NearMask(video, t, palette[colour]);
        var stack = new Stack<int>();
        var subjects = 0;
        for (var start = 0; start < near.Length; start++)
        {
            if (!near[start])
            {
                continue;
            }
            near[start] = false;
            stack.Push(start);
            var size = 0;
            while (stack.TryPop(out var p))
            {
                size++;
                int px = p % width, py = p / width;
                for (var y = Math.Max(0, py - 1); y <= Math.Min(height - 1, py + 1); y++)
                {
                    for (var x = Math.Max(0, px - 1); x <= Math.Min(width - 1, px + 1); x++)
                    {
                        var q = y * width + x;
                        if (near[q])
                        {
                            near[q] = false;
                            stack.Push(q);
                        }
                    }
                }
            }
            subjects += size >= MinimumSubjectPixels ? 1 : 0;
        }
        return subjects;
    }

    private static bool[] NearMask(RgbVideo video, int t, byte[] colour)
    {
        var frame = video.Frame(t);
        var near = new bool[video.Width * video.Height];
        for (var p = 0; p < near.Length; p++)
        {
            double dr = frame[3 * p] - colour[0], dg = frame[3 * p + 1] - colour[1], db = frame[3 * p + 2] - colour[2];
            near[p] = dr * dr + dg * dg + db * db <= ColourDistance * ColourDistance;
        }
        return near;
    }

    private static double? Centroid(RgbVideo video, int t, byte[] colour)
    {
        var near = NearMask(video, t, colour);
        double sumX = 0;
        var count = 0;
        for (var p = 0; p < near.Length; p++)
        {
            if (near[p])
            {
                sumX += p % video.Width;
                count++;
            }
        }
        return count >= MinimumPixels ? sumX / count : null;
    }

    private static double[] BandMean(RgbVideo video, (int From, int To) rows, int firstFrame)
    {
        var sum = new double[3];
        long n = 0;
        for (var t = firstFrame; t < video.Frames; t++)
        {
            var frame = video.Frame(t);
            for (var y = rows.From; y < rows.To; y++)
            {
                for (var x = 0; x < video.Width; x++)
                {
                    var p = (y * video.Width + x) * 3;
                    sum[0] += frame[p];
                    sum[1] += frame[p + 1];
                    sum[2] += frame[p + 2];
                    n++;
                }
            }
        }
        return [sum[0] / n, sum[1] / n, sum[2] / n];
    }

    private static double Distance(double[] a, byte[] b) =>
        Math.Sqrt((a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1]) + (a[2] - b[2]) * (a[2] - b[2]));
}
