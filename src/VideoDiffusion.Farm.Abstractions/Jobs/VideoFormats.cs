namespace VideoDiffusion.Farm.Abstractions;

/// <summary>The containers a job's video can have; each name is also the video file's extension.</summary>
public static class VideoFormats
{
    /// <summary>H.264 in MP4.</summary>
    public const string Mp4 = "mp4";

    /// <summary>Raw YUV4MPEG2 frames (bit-exact).</summary>
    public const string Y4m = "y4m";

    public static IReadOnlyList<string> All { get; } = [Mp4, Y4m];
}
