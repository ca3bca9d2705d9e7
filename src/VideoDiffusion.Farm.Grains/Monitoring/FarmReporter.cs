using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using VideoDiffusion.Farm.Abstractions.Monitoring;
using VideoDiffusion.Farm.Grains.Execution;

namespace VideoDiffusion.Farm.Grains.Monitoring;

/// <summary>
/// Sends this silo's snapshot (slots' utilisation, executor queue and totals, running windows per job, models served)
/// to the farm monitor every <see cref="Period"/>, from the moment the silo is active until it starts stopping. One call per
/// period, whatever the number of windows; a failed report is logged and the next one tries again.
/// </summary>
public sealed class FarmReporter(
    DenoiseExecutor executor,
    ModelCatalog catalog,
    RunningWindows windows,
    Placement.FarmLoad load,
    ILocalSiloDetails silo,
    IGrainFactory grains,
    TimeProvider clock,
    ILogger<FarmReporter> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    /// <summary>How often the silo reports.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(2);

    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(FarmReporter), ServiceLifecycleStage.Active, Start, Stop);

    /// <summary>The snapshot as of now.</summary>
    public SiloReport Snapshot()
    {
        var statistics = executor.Statistics();
        return new SiloReport
        {
            Name = silo.Name,
            Address = silo.SiloAddress,
            ReportedAt = clock.GetUtcNow(),
            Period = Period,
            Slots = executor.Usage.Select(u => new SlotReading(u.Slot, u.Utilisation(SlotReading.NowSpan), u.Series(SlotReading.SeriesStep).ToArray())).ToArray(),
            BusySeconds = statistics.BusyTime.TotalSeconds,
            QueuedWindowSteps = executor.QueuedWindowSteps,
            WindowSteps = statistics.WindowSteps,
            RunningWindows = windows.Snapshot(),
            Draining = load.Draining,
            Models = [.. catalog.Served()],
            ScaledJobs = load.ScaledJobs,
            ChainedWindows = windows.Chained,
        };
    }

    private Task Start(CancellationToken cancellation)
    {
        _loop = Task.Run(() => LoopAsync(_stop.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task Stop(CancellationToken cancellation)
    {
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            await _loop.WaitAsync(cancellation).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async Task LoopAsync(CancellationToken stop)
    {
        var monitor = grains.GetGrain<IFarmMonitorGrain>(0);
        using var timer = new PeriodicTimer(Period, clock);
        do
        {
            try
            {
                await monitor.Report(Snapshot()).WaitAsync(Period * 5, stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // the monitor's silo may be failing over; the view lacks this silo until a report gets through
                logger.LogDebug(e, "farm report from {Silo} failed", silo.Name);
            }
        }
        while (await WaitForTickAsync(timer, stop));
    }

    private static async Task<bool> WaitForTickAsync(PeriodicTimer timer, CancellationToken stop)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stop);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
