using VideoDiffusion.Farm.Diffusion.Tensors;

namespace VideoDiffusion.Farm.Media.Frames;

/// <summary>Integer nearest-neighbour upscaling and even-size padding for H.264, frame by frame.</summary>
public static class FrameScaler
{
    /// <summary>Output size for a frame of the given size, scale and container needs.</summary>
    public static (int Width, int Height) OutputSize(int width, int height, int factor, bool even)
    {
        int w = width * factor, h = height * factor;
        return even ? (w + w % 2, h + h % 2) : (w, h);
    }

    /// <summary>
    /// Upscales one RGB24 frame by <paramref name="factor"/> into <paramref name="result"/>, an RGB24 frame of
    /// <paramref name="outWidth"/>×<paramref name="outHeight"/> (extra edge pixels repeat).
    /// </summary>
    public static void ScaleFrame(ReadOnlySpan<byte> source, int width, int height, int factor, Span<byte> result, int outWidth, int outHeight)
    {
        if (factor < 1 || factor > 16)
        {
            throw new ArgumentOutOfRangeException(nameof(factor), $"scale must be between 1 and 16 (got {factor})");
        }
        if (result.Length != outWidth * outHeight * 3)
        {
            throw new ArgumentException($"the output frame holds {result.Length} bytes, not {outWidth}x{outHeight} RGB24", nameof(result));
        }
        for (var y = 0; y < outHeight; y++)
        {
            var sy = Math.Min(y / factor, height - 1);
            for (var x = 0; x < outWidth; x++)
            {
                var s = (sy * width + Math.Min(x / factor, width - 1)) * 3;
                var d = (y * outWidth + x) * 3;
                result[d] = source[s];
                result[d + 1] = source[s + 1];
                result[d + 2] = source[s + 2];
            }
        }
    }

    public static RgbVideo Upscale(RgbVideo video, int factor) => Scale(video, factor, even: false);

    /// <summary>yuv420p needs even dimensions: odd sizes get one duplicated edge row or column.</summary>
    public static RgbVideo PadToEven(RgbVideo video) => Scale(video, 1, even: true);

    private static RgbVideo Scale(RgbVideo video, int factor, bool even)
    {
        var (w, h) = OutputSize(video.Width, video.Height, factor, even);
        if (w == video.Width && h == video.Height)
        {
            return video;
        }
        var result = new RgbVideo(w, h, video.Frames);
        for (var t = 0; t < video.Frames; t++)
        {
            ScaleFrame(video.Frame(t), video.Width, video.Height, factor, result.Frame(t), w, h);
        }
        return result;
    }
}
