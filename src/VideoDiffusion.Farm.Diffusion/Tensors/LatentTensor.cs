namespace VideoDiffusion.Farm.Diffusion.Tensors;

/// <summary>
/// A run of latent frames stored frame-major (T, C, H, W), so a frame or a run of frames is one contiguous
/// slice: overlaps travel and fuse without gathering strided data.
/// </summary>
public sealed class LatentTensor
{
    public LatentTensor(int frames, int channels, int height, int width)
        : this(frames, channels, height, width, new float[checked(frames * channels * height * width)])
    {
    }

    public LatentTensor(int frames, int channels, int height, int width, float[] data)
    {
        if (frames < 0 || channels <= 0 || height <= 0 || width <= 0)
        {
            throw new ArgumentException($"invalid latent shape ({frames}, {channels}, {height}, {width})");
        }
        if (data.Length != frames * channels * height * width)
        {
            throw new ArgumentException($"data holds {data.Length} values, shape needs {frames * channels * height * width}");
        }
        Frames = frames;
        Channels = channels;
        Height = height;
        Width = width;
        Data = data;
    }

    public int Frames { get; }
    public int Channels { get; }
    public int Height { get; }
    public int Width { get; }
    public float[] Data { get; }
    public int FrameSize => Channels * Height * Width;

    public Span<float> Frame(int t) => Data.AsSpan(t * FrameSize, FrameSize);

    public Span<float> FrameRange(int start, int count) => Data.AsSpan(start * FrameSize, count * FrameSize);

    public LatentTensor SliceFrames(int start, int count)
    {
        if (start < 0 || count < 0 || start + count > Frames)
        {
            throw new ArgumentOutOfRangeException(nameof(start), $"frames [{start}, {start + count}) outside [0, {Frames})");
        }
        var copy = new LatentTensor(count, Channels, Height, Width);
        FrameRange(start, count).CopyTo(copy.Data);
        return copy;
    }

    public void SetFrames(int start, ReadOnlySpan<float> frames) => frames.CopyTo(Data.AsSpan(start * FrameSize));

    public LatentTensor Clone() => new(Frames, Channels, Height, Width, (float[])Data.Clone());

    public bool SameShape(LatentTensor other) =>
        Channels == other.Channels && Height == other.Height && Width == other.Width;

    /// <summary>Copies frames into a (C, T, H, W) block, the layout the denoiser takes, at <paramref name="destination"/>.</summary>
    public void CopyToChannelMajor(Span<float> destination)
    {
        for (var t = 0; t < Frames; t++)
        {
            CopyFrameToChannelMajor(Frame(t), t, Frames, Channels, destination);
        }
    }

    /// <summary>Copies one frame (C, H, W) into frame <paramref name="t"/> of a (C, <paramref name="frames"/>, H, W) block.</summary>
    public static void CopyFrameToChannelMajor(ReadOnlySpan<float> frame, int t, int frames, int channels, Span<float> destination)
    {
        var hw = frame.Length / channels;
        for (var c = 0; c < channels; c++)
        {
            frame.Slice(c * hw, hw).CopyTo(destination.Slice((c * frames + t) * hw, hw));
        }
    }

    /// <summary>Reads a (C, T, H, W) block back into this frame-major tensor.</summary>
    public void CopyFromChannelMajor(ReadOnlySpan<float> source)
    {
        var hw = Height * Width;
        for (var t = 0; t < Frames; t++)
        {
            for (var c = 0; c < Channels; c++)
            {
                source.Slice((c * Frames + t) * hw, hw).CopyTo(Data.AsSpan((t * Channels + c) * hw, hw));
            }
        }
    }
}
