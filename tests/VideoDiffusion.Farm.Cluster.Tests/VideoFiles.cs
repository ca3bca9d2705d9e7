using System.Diagnostics;

namespace VideoDiffusion.Farm.Cluster.Tests;

/// <summary>Facts about video files from ffmpeg/ffprobe: per-frame hashes of the decoded pictures, frame counts.</summary>
public static class VideoFiles
{
    /// <summary>MD5 of every decoded frame: equal lists mean the same pictures, whatever the container bytes.</summary>
    public static IReadOnlyList<string> FrameHashes(string path)
    {
        var output = Run("ffmpeg", "-v", "error", "-i", path, "-map", "0:v", "-f", "framemd5", "-");
        return output.Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#')).Select(l => l.Split(',')[^1].Trim()).ToList();
    }

    private static string Run(string tool, params string[] args)
    {
        var info = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return process.ExitCode == 0 ? stdout.Result : throw new InvalidOperationException($"{tool} failed: {stderr.Result}");
    }
}
