using FFMpegCore;
using FFMpegCore.Pipes;
using VideoDiffusion.Farm.Diffusion.Tensors;
using VideoDiffusion.Farm.Media.Frames;

namespace VideoDiffusion.Farm.Media.Encoding;

/// <summary>The containers the farm writes, chosen by file extension.</summary>
public enum VideoContainer
{
    /// <summary>H.264 (libx264) in MP4, yuv420p: what players play.</summary>
    Mp4,

    /// <summary>Raw YUV4MPEG2, yuv444p: uncompressed, for exact comparisons.</summary>
    Y4m,
}

/// <summary>Encodes RGB frames with ffmpeg through FFMpegCore; frames stream through, so clip length does not cost memory.</summary>
public static class VideoEncoder
{
    public static VideoContainer ContainerFor(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".mp4" => VideoContainer.Mp4,
        ".y4m" => VideoContainer.Y4m,
        var other => throw new ArgumentException($"unsupported output '{other}': use .mp4 or .y4m", nameof(path)),
    };

    public static Task EncodeAsync(RgbVideo video, int fps, string path, int scale = 1, CancellationToken cancellation = default) =>
        EncodeFramesAsync(Enumerable.Range(0, video.Frames).Select(t => video.Frame(t).ToArray()), video.Width, video.Height, fps, path, scale, cancellation);

    /// <summary>Encodes RGB24 frames of <paramref name="width"/>×<paramref name="height"/>, enumerated lazily.</summary>
    public static async Task EncodeFramesAsync(IEnumerable<byte[]> frames, int width, int height, int fps, string path, int scale = 1, CancellationToken cancellation = default)
    {
        var container = ContainerFor(path);
        EnsureFfmpeg();
        var (outWidth, outHeight) = FrameScaler.OutputSize(width, height, scale, even: container == VideoContainer.Mp4);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }
        var source = new RawVideoPipeSource(Scaled(frames, width, height, scale, outWidth, outHeight)) { FrameRate = fps };
        var arguments = FFMpegArguments.FromPipeInput(source).OutputToFile(path, overwrite: true, options =>
            options.WithCustomArgument(container == VideoContainer.Mp4
                ? $"-c:v libx264 -pix_fmt yuv420p -r {fps} -preset veryfast -crf 18 -movflags +faststart"
                : $"-f yuv4mpegpipe -pix_fmt yuv444p -r {fps}"));
        try
        {
            await arguments.CancellableThrough(cancellation).ProcessAsynchronously(throwOnError: true);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new InvalidOperationException($"ffmpeg failed to write {path}: {e.Message.Split('\n')[0]}", e);
        }
    }

    /// <summary>
    /// The frames at output size. The pipe writes each frame before it asks for the next, so one scaled frame buffer
    /// serves the whole clip: a long clip does not leave a large-object-heap array per frame for the collector.
    /// </summary>
    private static IEnumerable<IVideoFrame> Scaled(IEnumerable<byte[]> frames, int width, int height, int scale, int outWidth, int outHeight)
    {
        var scaled = outWidth == width && outHeight == height ? null : new byte[outWidth * outHeight * 3];
        foreach (var frame in frames)
        {
            if (scaled is not null)
            {
                FrameScaler.ScaleFrame(frame, width, height, scale, scaled, outWidth, outHeight);
            }
            yield return new RgbFrame(scaled ?? frame, outWidth, outHeight);
        }
    }

    /// <summary>Fails early with an actionable message when ffmpeg is not installed.</summary>
    public static void EnsureFfmpeg()
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        if (!path.Split(Path.PathSeparator).Any(dir => File.Exists(Path.Combine(dir, "ffmpeg"))))
        {
            throw new InvalidOperationException("ffmpeg is not on PATH: install it (Debian: apt-get install ffmpeg)");
        }
    }

    private sealed class RgbFrame(byte[] data, int width, int height) : IVideoFrame
    {
        public int Width => width;
        public int Height => height;
        public string Format => "rgb24";
        public string PixelFormat => "rgb24";

        public void Serialize(Stream pipe) => pipe.Write(data);

        public async Task SerializeAsync(Stream pipe, CancellationToken token) => await pipe.WriteAsync(data, token);
    }
}
