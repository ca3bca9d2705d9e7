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

/// <summary>Encodes RGB frames with ffmpeg through FFMpegCore.</summary>
public static class VideoEncoder
{
    public static VideoContainer ContainerFor(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".mp4" => VideoContainer.Mp4,
        ".y4m" => VideoContainer.Y4m,
        var other => throw new ArgumentException($"unsupported output '{other}': use .mp4 or .y4m", nameof(path)),
    };

    public static async Task EncodeAsync(RgbVideo video, int fps, string path, int scale = 1, CancellationToken cancellation = default)
    {
        var container = ContainerFor(path);
        EnsureFfmpeg();
        var frames = FrameScaler.Upscale(video, scale);
        if (container == VideoContainer.Mp4)
        {
            frames = FrameScaler.PadToEven(frames);
        }
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }
        var source = new RawVideoPipeSource(Enumerable.Range(0, frames.Frames).Select(t => (IVideoFrame)new RgbFrame(frames, t))) { FrameRate = fps };
        var arguments = FFMpegArguments.FromPipeInput(source).OutputToFile(path, overwrite: true, options =>
        {
            if (container == VideoContainer.Mp4)
            {
                options.WithCustomArgument($"-c:v libx264 -pix_fmt yuv420p -r {fps} -preset medium -crf 18 -movflags +faststart");
            }
            else
            {
                options.WithCustomArgument($"-f yuv4mpegpipe -pix_fmt yuv444p -r {fps}");
            }
        });
        try
        {
            await arguments.CancellableThrough(cancellation).ProcessAsynchronously(throwOnError: true);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new InvalidOperationException($"ffmpeg failed to write {path}: {e.Message.Split('\n')[0]}", e);
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

    private sealed class RgbFrame(RgbVideo video, int index) : IVideoFrame
    {
        public int Width => video.Width;
        public int Height => video.Height;
        public string Format => "rgb24";
        public string PixelFormat => "rgb24";

        public void Serialize(Stream pipe) => pipe.Write(video.Frame(index));

        public async Task SerializeAsync(Stream pipe, CancellationToken token) =>
            await pipe.WriteAsync(video.Data.AsMemory(index * video.FrameSize, video.FrameSize), token);
    }
}
