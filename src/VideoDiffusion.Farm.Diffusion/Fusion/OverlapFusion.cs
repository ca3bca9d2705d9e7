namespace VideoDiffusion.Farm.Diffusion.Fusion;

/// <summary>
/// Fuses the frames two neighbouring windows share into their weighted mean. The arithmetic is one fixed expression
/// in one order (left value first), so both neighbours compute bit-identical fused frames.
/// </summary>
public static class OverlapFusion
{
    /// <summary>Weight of the right window at overlap frame j of <paramref name="overlap"/> frames; the left gets 1 − w.</summary>
    public static float RightWeight(BlendMode mode, int j, int overlap)
    {
        var u = (j + 1.0) / (overlap + 1.0);
        return mode switch
        {
            BlendMode.Flat => 0.5f,
            BlendMode.Linear => (float)u,
            BlendMode.Cosine => (float)(0.5 - 0.5 * Math.Cos(Math.PI * u)),
            _ => throw new ArgumentOutOfRangeException(nameof(mode)),
        };
    }

    /// <summary>
    /// The fused value of overlap frames given the left window's and the right window's values; <paramref name="fused"/> may be
    /// either of them (each value is read before it is written).
    /// </summary>
    public static void Fuse(ReadOnlySpan<float> left, ReadOnlySpan<float> right, Span<float> fused, int overlap, BlendMode mode)
    {
        var frameSize = left.Length / overlap;
        for (var j = 0; j < overlap; j++)
        {
            var wr = RightWeight(mode, j, overlap);
            var wl = 1f - wr;
            var o = j * frameSize;
            for (var k = o; k < o + frameSize; k++)
            {
                fused[k] = wl * left[k] + wr * right[k];
            }
        }
    }
}
