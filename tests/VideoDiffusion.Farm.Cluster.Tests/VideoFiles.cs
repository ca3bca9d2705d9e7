namespace VideoDiffusion.Farm.Cluster.Tests;

/// <summary>Facts about video files from ffmpeg/ffprobe: per-frame hashes of the decoded pictures, frame counts.</summary>
public static class VideoFiles
{
    /// <summary>MD5 of every decoded frame: equal lists mean the same pictures, whatever the container bytes.</summary>
    public static IReadOnlyList<string> FrameHashes(string path)
    {
        var ffmpeg = ToolProcess.Run("ffmpeg", ["-v", "error", "-i", path, "-map", "0:v", "-f", "framemd5", "-"], timeout: TimeSpan.FromMinutes(5));
        Assert.True(ffmpeg.ExitCode == 0, $"ffmpeg failed: {ffmpeg.Error}");
        return ffmpeg.Output.Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#')).Select(l => l.Split(',')[^1].Trim()).ToList();
    }
}
