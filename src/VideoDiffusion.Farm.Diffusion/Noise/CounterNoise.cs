using VideoDiffusion.Farm.Diffusion.Tensors;

namespace VideoDiffusion.Farm.Diffusion.Noise;

/// <summary>
/// Gaussian noise as a pure function of (seed, absolute latent frame, channel, y, x): a counter-based generator,
/// so a frame's noise never depends on the window plan, the silo or the order windows run in.
/// </summary>
public static class CounterNoise
{
    public static float Sample(ulong seed, long frame, int channel, int y, int x) => SampleAt(FrameKey(seed, frame), channel, y, x);

    /// <summary>Noise for frames [firstFrame, firstFrame + frames) of a latent video.</summary>
    public static LatentTensor Frames(ulong seed, long firstFrame, int frames, int channels, int height, int width)
    {
        var tensor = new LatentTensor(frames, channels, height, width);
        for (var t = 0; t < frames; t++)
        {
            FillFrame(seed, firstFrame + t, tensor, t);
        }
        return tensor;
    }

    /// <summary>Noise for the given absolute latent frames, in order (they need not be consecutive).</summary>
    public static LatentTensor ForFrames(ulong seed, IReadOnlyList<int> frames, int channels, int height, int width)
    {
        var tensor = new LatentTensor(frames.Count, channels, height, width);
        for (var i = 0; i < frames.Count; i++)
        {
            FillFrame(seed, frames[i], tensor, i);
        }
        return tensor;
    }

    private static void FillFrame(ulong seed, long frame, LatentTensor tensor, int t)
    {
        var key = FrameKey(seed, frame);
        var data = tensor.Frame(t);
        var i = 0;
        for (var c = 0; c < tensor.Channels; c++)
        {
            for (var y = 0; y < tensor.Height; y++)
            {
                for (var x = 0; x < tensor.Width; x++)
                {
                    data[i++] = SampleAt(key, c, y, x);
                }
            }
        }
    }

    /// <summary>The part of a sample's hash that depends on the seed and the frame only, drawn once per frame.</summary>
    private static ulong FrameKey(ulong seed, long frame) => Mix(Mix(seed ^ 0x9E3779B97F4A7C15UL) ^ (ulong)frame);

    private static float SampleAt(ulong frameKey, int channel, int y, int x)
    {
        var key = Mix(frameKey ^ ((ulong)(uint)channel << 32 | (uint)y << 16 | (uint)x));
        var u1 = ((key >> 11) + 1) * (1.0 / 9007199254740993.0); // (0, 1]: log stays finite
        var u2 = (Mix(key ^ 0xD1B54A32D192ED03UL) >> 11) * (1.0 / 9007199254740992.0);
        return (float)(Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2));
    }

    // SplitMix64 finaliser: a bijective avalanche mix, enough for simulation-grade noise
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
