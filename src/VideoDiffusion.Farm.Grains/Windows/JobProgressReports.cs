using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using VideoDiffusion.Farm.Abstractions;
using VideoDiffusion.Farm.Abstractions.Protocol;
using VideoDiffusion.Farm.Grains.Hosting;

namespace VideoDiffusion.Farm.Grains.Windows;

/// <summary>
/// Collects the steps this silo's windows have done and tells each job once a progress period
/// (<see cref="FarmTimingOptions.ProgressReportPeriod"/>), in one call for all of its windows here: the job's progress
/// stays within a period of its windows', and its grain's calls grow with silos and time, not with windows × steps.
/// Best effort: a report lost with the job grain's silo is superseded by the next one.
/// </summary>
public sealed class JobProgressReports(IGrainFactory grains, IOptions<FarmTimingOptions> timing, ILogger<JobProgressReports> logger)
    : ILifecycleParticipant<ISiloLifecycle>
{
    private readonly object _lock = new();
    private readonly CancellationTokenSource _stop = new();
    private Dictionary<string, Dictionary<WindowKey, int>> _pending = []; // under _lock
    private Task? _loop;

    /// <summary>Notes that <paramref name="window"/> is <paramref name="percent"/> done; the job hears it at the next report.</summary>
    public void Stepped(WindowKey window, int percent)
    {
        lock (_lock)
        {
            if (!_pending.TryGetValue(window.JobId, out var windows))
            {
                _pending[window.JobId] = windows = [];
            }
            windows[window] = Math.Max(windows.GetValueOrDefault(window), percent);
        }
    }

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(JobProgressReports), ServiceLifecycleStage.Active, Start, StopAsync);

    private Task Start(CancellationToken cancellation)
    {
        _loop = Task.Run(() => LoopAsync(_stop.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task StopAsync(CancellationToken cancellation)
    {
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            await _loop.WaitAsync(cancellation).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async Task LoopAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(timing.Value.ProgressReportPeriod);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                await ReportAsync();
            }
        }
        catch (OperationCanceledException)
        {
            // the silo stops
        }
    }

    /// <summary>Sends what the windows noted since the last report, one call per job.</summary>
    public Task ReportAsync()
    {
        Dictionary<string, Dictionary<WindowKey, int>> due;
        lock (_lock)
        {
            if (_pending.Count == 0)
            {
                return Task.CompletedTask;
            }
            due = _pending;
            _pending = [];
        }
        return Task.WhenAll(due.Select(async job =>
        {
            try
            {
                await grains.GetGrain<IRenderJobGrain>(job.Key).WindowsProgressed([.. job.Value.Keys], [.. job.Value.Values]);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogDebug(e, "progress of job {Job} not reported", job.Key);
            }
        }));
    }
}
