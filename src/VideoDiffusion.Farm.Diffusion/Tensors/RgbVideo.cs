namespace VideoDiffusion.Farm.Diffusion.Tensors;

/// <summary>Decoded video: frames of packed RGB24 bytes, row-major.</summary>
public sealed class RgbVideo(int width, int height, int frames)
{
    public int Width { get; } = width;
    public int Height { get; } = height;
    public int Frames { get; } = frames;
    public byte[] Data { get; } = new byte[checked(width * height * 3 * frames)];
    public int FrameSize => Width * Height * 3;

    public Span<byte> Frame(int t) => Data.AsSpan(t * FrameSize, FrameSize);

    /// <summary>Writes a decoded frame, (3, H, W) floats in [-1, 1], as RGB bytes.</summary>
    public void SetFrameFromPlanar(int t, ReadOnlySpan<float> planar)
    {
        var frame = Frame(t);
        var plane = Width * Height;
        for (var p = 0; p < plane; p++)
        {
            frame[3 * p] = ToByte(planar[p]);
            frame[3 * p + 1] = ToByte(planar[plane + p]);
            frame[3 * p + 2] = ToByte(planar[2 * plane + p]);
        }
    }

    private static byte ToByte(float v) => (byte)Math.Clamp(MathF.Round((v + 1f) * 127.5f), 0f, 255f);
}
