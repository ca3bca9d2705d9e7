using System.Globalization;

namespace VideoDiffusion.Farm.Cluster.Tests;

/// <summary>A process's resident memory (<c>VmRSS</c> of <c>/proc/&lt;pid&gt;/status</c>), read once a second for a while.</summary>
public static class ProcessMemory
{
    /// <summary>The process's resident set in KiB, or null once it has exited.</summary>
    public static long? ResidentKib(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line is null ? null : long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>One reading a second for <paramref name="duration"/>; element i is the reading at second i (readings of an exited process are left out).</summary>
    public static async Task<IReadOnlyList<long>> SampleAsync(int pid, TimeSpan duration)
    {
        var readings = new List<long>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (var second = 0; second < (int)duration.TotalSeconds; second++)
        {
            if (ResidentKib(pid) is { } kib)
            {
                readings.Add(kib);
            }
            var wait = TimeSpan.FromSeconds(second + 1) - clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }
        }
        return readings;
    }

    /// <summary>The median of <paramref name="values"/> (the mean of the middle two when their count is even).</summary>
    public static double Median(IEnumerable<long> values)
    {
        var sorted = values.Order().ToList();
        Assert.NotEmpty(sorted);
        var middle = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2.0;
    }
}
