using VideoDiffusion.Farm.Diffusion.Tensors;

namespace VideoDiffusion.Farm.Media.Frames;

/// <summary>Integer nearest-neighbour upscaling and even-size padding for H.264.</summary>
public static class FrameScaler
{
    public static RgbVideo Upscale(RgbVideo video, int factor)
    {
        if (factor < 1 || factor > 16)
        {
            throw new ArgumentOutOfRangeException(nameof(factor), $"scale must be between 1 and 16 (got {factor})");
        }
        if (factor == 1)
        {
            return video;
        }
        var result = new RgbVideo(video.Width * factor, video.Height * factor, video.Frames);
        for (var t = 0; t < video.Frames; t++)
        {
            var src = video.Frame(t);
            var dst = result.Frame(t);
            for (var y = 0; y < result.Height; y++)
            {
                var sy = y / factor;
                for (var x = 0; x < result.Width; x++)
                {
                    var s = (sy * video.Width + x / factor) * 3;
                    var d = (y * result.Width + x) * 3;
                    dst[d] = src[s];
                    dst[d + 1] = src[s + 1];
                    dst[d + 2] = src[s + 2];
                }
            }
        }
        return result;
    }

    /// <summary>yuv420p needs even dimensions: odd sizes get one duplicated edge row or column.</summary>
    public static RgbVideo PadToEven(RgbVideo video)
    {
        if (video.Width % 2 == 0 && video.Height % 2 == 0)
        {
            return video;
        }
        var result = new RgbVideo(video.Width + video.Width % 2, video.Height + video.Height % 2, video.Frames);
        for (var t = 0; t < video.Frames; t++)
        {
            var src = video.Frame(t);
            var dst = result.Frame(t);
            for (var y = 0; y < result.Height; y++)
            {
                for (var x = 0; x < result.Width; x++)
                {
                    var s = (Math.Min(y, video.Height - 1) * video.Width + Math.Min(x, video.Width - 1)) * 3;
                    src.Slice(s, 3).CopyTo(dst.Slice((y * result.Width + x) * 3, 3));
                }
            }
        }
        return result;
    }
}
