using VideoDiffusion.Farm.Diffusion.Tensors;

namespace VideoDiffusion.Farm.Cli.Evaluation;

/// <summary>
/// Whether a frame keeps its prompt's world: the share of its pixels within RGB distance
/// <see cref="PaletteScorer.ColourDistance"/> of a colour the world may show (<see cref="EvalSet.OnWorldColours"/>).
/// A clean frame keeps at least <see cref="KeptShare"/>; a collapsing clip fills with patches of other worlds'
/// colours and dark blobs, which no colour of its own world is near.
/// </summary>
public static class WorldKeeping
{
    public const double KeptShare = 0.95;

    /// <summary>Share of the frame's pixels near one of <paramref name="colours"/>.</summary>
    public static double OnWorldShare(RgbVideo video, int t, IReadOnlyList<byte[]> colours)
    {
        var frame = video.Frame(t);
        var limit = PaletteScorer.ColourDistance * PaletteScorer.ColourDistance;
        var near = 0;
        for (var p = 0; p < frame.Length; p += 3)
        {
            foreach (var c in colours)
            {
                double dr = frame[p] - c[0], dg = frame[p + 1] - c[1], db = frame[p + 2] - c[2];
                if (dr * dr + dg * dg + db * db <= limit)
                {
                    near++;
                    break;
                }
            }
        }
        return (double)near / (frame.Length / 3);
    }

    /// <summary>Fraction of frames that keep their world.</summary>
    public static double KeptFrames(RgbVideo video, IReadOnlyList<byte[]> colours)
    {
        var kept = 0;
        for (var t = 0; t < video.Frames; t++)
        {
            kept += OnWorldShare(video, t, colours) >= KeptShare ? 1 : 0;
        }
        return (double)kept / Math.Max(1, video.Frames);
    }
}
