namespace VideoDiffusion.Farm.Diffusion.Tensors;

/// <summary>
/// The clean frames a window is given as context, with the mask the denoiser takes. Only the given frames are held:
/// a window anchored on a few keyframes holds those, not a second window-sized tensor (8 MB for a Wan-shaped window).
/// </summary>
public sealed class ContextFrames(int frames, int channels, int height, int width)
{
    private readonly float[]?[] _frames = new float[frames][];

    public int Frames { get; } = frames;
    public int Channels { get; } = channels;
    public int FrameSize { get; } = channels * height * width;

    /// <summary>1 for each given frame, 0 otherwise: the denoiser's context mask.</summary>
    public float[] Mask { get; } = new float[frames];

    /// <summary>Gives frame <paramref name="localFrame"/> its clean value (a copy of <paramref name="clean"/>).</summary>
    public void Set(int localFrame, ReadOnlySpan<float> clean)
    {
        if (clean.Length != FrameSize)
        {
            throw new ArgumentException($"a context frame holds {FrameSize} values, not {clean.Length}", nameof(clean));
        }
        _frames[localFrame] = clean.ToArray();
        Mask[localFrame] = 1f;
    }

    /// <summary>The clean value of frame <paramref name="localFrame"/>, or none when it is not given.</summary>
    public float[]? Frame(int localFrame) => _frames[localFrame];

    /// <summary>
    /// Writes the given frames into a (C, T, H, W) block (see <see cref="LatentTensor.CopyToChannelMajor"/>); the other
    /// frames of <paramref name="destination"/> are left as they are (zero in a fresh buffer).
    /// </summary>
    public void CopyToChannelMajor(Span<float> destination)
    {
        for (var t = 0; t < Frames; t++)
        {
            if (_frames[t] is { } frame)
            {
                LatentTensor.CopyFrameToChannelMajor(frame, t, Frames, Channels, destination);
            }
        }
    }
}
