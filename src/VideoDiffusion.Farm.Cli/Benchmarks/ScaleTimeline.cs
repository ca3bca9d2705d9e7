using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using VideoDiffusion.Farm.Grains.Execution;
using VideoDiffusion.Farm.Grains.Monitoring;
using VideoDiffusion.Farm.Hosting.Embedded;

namespace VideoDiffusion.Farm.Cli.Benchmarks;

/// <summary>
/// What each silo of a <c>farm bench-scale</c> run did over time: one line per period with, per silo in start order,
/// its running windows, its queued window-steps, the share of the period its slots were busy and the window-steps it
/// ran (<c>12w/7q/100%/8s</c>). It shows where a makespan goes: silos idle while an anchored pass has not reached their
/// block, windows piling up on one silo, stalls while windows move.
/// </summary>
public sealed class ScaleTimeline(EmbeddedFarm farm, double periodSeconds, TextWriter output)
{
    private double _last = double.NegativeInfinity;
    private readonly Dictionary<int, (double Busy, long Steps)> _before = [];

    /// <summary>Writes a line when a period has passed since the last one.</summary>
    public void Tick(double elapsedSeconds, double progress)
    {
        if (elapsedSeconds - _last < periodSeconds)
        {
            return;
        }
        var span = double.IsNegativeInfinity(_last) ? elapsedSeconds : elapsedSeconds - _last;
        var line = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"t={elapsedSeconds:F0}s {progress * 100:F0}%:"));
        for (var i = 0; i < farm.SiloServices.Count; i++)
        {
            var services = farm.SiloServices[i];
            var stats = services.GetRequiredService<DenoiseExecutor>().Statistics();
            var windows = services.GetRequiredService<RunningWindows>().Snapshot().Sum(j => j.Windows);
            var (busy, steps) = _before.GetValueOrDefault(i);
            var busyShare = span <= 0 || stats.Slots == 0 ? 0 : (stats.BusyTime.TotalSeconds - busy) / (span * stats.Slots);
            line.Append(CultureInfo.InvariantCulture, $" {windows}w/{stats.Queued}q/{busyShare * 100:F0}%/{stats.WindowSteps - steps}s");
            _before[i] = (stats.BusyTime.TotalSeconds, stats.WindowSteps);
        }
        _last = elapsedSeconds;
        output.WriteLine(line);
    }
}
