using VideoDiffusion.Farm.Diffusion.Tensors;

namespace VideoDiffusion.Farm.Diffusion.Noise;

/// <summary>
/// Gaussian noise as a pure function of (seed, absolute latent frame, channel, y, x): a counter-based generator,
/// so a frame's noise never depends on the window plan, the silo or the order windows run in.
/// </summary>
public static class CounterNoise
{
    public static float Sample(ulong seed, long frame, int channel, int y, int x)
    {
        var key = Mix(seed ^ 0x9E3779B97F4A7C15UL);
        key = Mix(key ^ (ulong)frame);
        key = Mix(key ^ ((ulong)(uint)channel << 32 | (uint)y << 16 | (uint)x));
        var u1 = ((key >> 11) + 1) * (1.0 / 9007199254740993.0); // (0, 1]: log stays finite
        var u2 = (Mix(key ^ 0xD1B54A32D192ED03UL) >> 11) * (1.0 / 9007199254740992.0);
        return (float)(Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2));
    }

    /// <summary>Noise for frames [firstFrame, firstFrame + frames) of a latent video.</summary>
    public static LatentTensor Frames(ulong seed, long firstFrame, int frames, int channels, int height, int width)
    {
        var tensor = new LatentTensor(frames, channels, height, width);
        var data = tensor.Data;
        var i = 0;
        for (var t = 0; t < frames; t++)
        {
            for (var c = 0; c < channels; c++)
            {
                for (var y = 0; y < height; y++)
                {
                    for (var x = 0; x < width; x++)
                    {
                        data[i++] = Sample(seed, firstFrame + t, c, y, x);
                    }
                }
            }
        }
        return tensor;
    }

    /// <summary>Noise for the given absolute latent frames, in order (they need not be consecutive).</summary>
    public static LatentTensor ForFrames(ulong seed, IReadOnlyList<int> frames, int channels, int height, int width)
    {
        var tensor = new LatentTensor(frames.Count, channels, height, width);
        for (var i = 0; i < frames.Count; i++)
        {
            Frames(seed, frames[i], 1, channels, height, width).Data.CopyTo(tensor.Frame(i));
        }
        return tensor;
    }

    // SplitMix64 finaliser: a bijective avalanche mix, enough for simulation-grade noise
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
