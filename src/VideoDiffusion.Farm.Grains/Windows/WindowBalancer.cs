using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using VideoDiffusion.Farm.Abstractions.Monitoring;
using VideoDiffusion.Farm.Grains.Execution;
using VideoDiffusion.Farm.Grains.Hosting;
using VideoDiffusion.Farm.Grains.Monitoring;
using VideoDiffusion.Farm.Grains.Placement;

namespace VideoDiffusion.Farm.Grains.Windows;

/// <summary>
/// Keeps the windows of running jobs spread over the accelerator silos. Every <see cref="FarmTimingOptions.BalancePeriod"/>
/// it reads the farm monitor's view into <see cref="FarmLoad"/>; a silo holding more running windows per slot than the
/// farm's mean sends its surplus to silos that joined while windows were running and hold less than their share (every
/// silo computes the same pairing from the same view and acts only on its own part), so silos that join during a job
/// take over part of it. Until the jobs that were running at the join have ended, every silo below its share takes
/// windows: their blocks are broken up by then, and a silo whose windows finish first would otherwise idle while
/// another still holds many. When the silo stops, it first
/// stops taking windows and hands each running window over at the step it is on, before Orleans deactivates anything.
/// </summary>
public sealed class WindowBalancer(
    FarmLoad load,
    WindowMoves moves,
    RunningWindows running,
    DenoiseExecutor executor,
    IServiceProvider services,
    ILocalSiloDetails local,
    IClusterMembershipService membership,
    IGrainFactory grains,
    IOptions<FarmTimingOptions> timing,
    ILogger<WindowBalancer> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    /// <summary>Moves in flight per slot at least; more where many windows share a slot (<see cref="MovesInFlight"/>).</summary>
    private const int MinMovesInFlightPerSlot = 4;
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    private Task? _watch;
    private List<SiloAddress> _lastMoves = [];
    private readonly SiloJoins _joins = new();
    private readonly Dictionary<SiloAddress, DateTimeOffset> _recentTargets = [];
    private HashSet<string> _runningJobs = [];
    /// <summary>Whether the last view of the farm showed windows running (read by the membership watch).</summary>
    private volatile bool _windowsRunning;

    /// <summary>
    /// Jobs that were running when a silo joined (seen here or reported by another silo), until they end: while any
    /// runs, every silo below its share takes windows.
    /// </summary>
    private readonly HashSet<string> _scaledJobs = [];

    private IFarmMonitorGrain Monitor => grains.GetGrain<IFarmMonitorGrain>(0);

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(WindowBalancer), ServiceLifecycleStage.Active, Start, StopAsync);

    private Task Start(CancellationToken cancellation)
    {
        // the silos up when this one starts are not "joined", whenever the first view of the farm arrives
        _joins.Arrived(local.SiloAddress, false);
        foreach (var member in membership.CurrentSnapshot.Members.Values.Where(m => m.Status == SiloStatus.Active))
        {
            _joins.Arrived(member.SiloAddress, false);
        }
        if (timing.Value.BalancePeriod > TimeSpan.Zero)
        {
            _watch = Task.Run(() => WatchArrivalsAsync(_stop.Token), CancellationToken.None);
            _loop = Task.Run(() => LoopAsync(_stop.Token), CancellationToken.None);
        }
        return Task.CompletedTask;
    }

    private async Task WatchArrivalsAsync(CancellationToken stop)
    {
        try
        {
            await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(stop))
            {
                var windowsRunning = _windowsRunning || running.Snapshot().Any(j => j.Windows > 0);
                foreach (var member in snapshot.Members.Values.Where(m => m.Status == SiloStatus.Active))
                {
                    _joins.Arrived(member.SiloAddress, windowsRunning);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    private async Task LoopAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(timing.Value.BalancePeriod);
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await timer.WaitForNextTickAsync(stop);
                // a call lost while the grain directory moves (silos joining) would otherwise hold the loop until
                // Orleans' response timeout, long enough for a job to finish before the silos that joined get windows
                Observe(await Monitor.Silos().WaitAsync(FarmReporter.Period, stop));
                if (executor.Slots > 0 && !load.Draining)
                {
                    Rebalance();
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (TimeoutException)
            {
                logger.LogInformation("{Silo}: the farm monitor did not answer within {Period}; window balancing skipped a round", local.Name, FarmReporter.Period);
            }
            catch (Exception e)
            {
                logger.LogDebug(e, "window balancing on {Silo} skipped a round", local.Name);
            }
        }
    }

    /// <summary>Takes the farm monitor's view: the load placement balances on and the models each silo serves.</summary>
    private void Observe(SiloReport[] view)
    {
        load.Update(view);
        _runningJobs = view.SelectMany(r => r.RunningWindows).Concat(running.Snapshot()).Where(j => j.Windows > 0).Select(j => j.JobId).ToHashSet();
        // what the others saw: a silo that joined learns from them that it joined running jobs
        _scaledJobs.UnionWith(view.SelectMany(r => r.ScaledJobs));
        _scaledJobs.IntersectWith(_runningJobs);
        _windowsRunning = _runningJobs.Count > 0;
        load.ScaledJobs = [.. _scaledJobs];
    }

    /// <summary>
    /// Asks this silo's share of the farm's surplus windows to move. Only a surplus seen in
    /// two views in a row counts: reports arrive at different times, and right after a job starts one silo's report may
    /// show its new windows while another's does not yet.
    /// </summary>
    private void Rebalance()
    {
        // windows already asked to leave still show in this silo's reports until they have left: not surplus any more
        var leaving = moves.Leaving;
        var silos = load.Snapshot().Where(s => !s.Draining && s.Slots > 0)
            .Select(s => s.Address.Equals(local.SiloAddress) ? s with { Windows = Math.Max(0, s.Windows - leaving) } : s)
            .OrderBy(s => s.Address.ToString(), StringComparer.Ordinal).ToList();
        if (!silos.Any(s => s.Address.Equals(local.SiloAddress)))
        {
            // a view without this silo's own report (the monitor grain just activated afresh while silos join, its
            // directory entry moving) would show this silo's windows as none: silos first seen in it would never count as joined
            return;
        }
        TrackJoins(silos);
        // after sending windows to a silo, wait until its reports show them before sending it more; the other silos
        // (one that joins meanwhile: an autoscaler adds pods seconds apart) are served at once
        var clock = DateTimeOffset.UtcNow;
        foreach (var expired in _recentTargets.Where(t => t.Value <= clock).Select(t => t.Key).ToList())
        {
            _recentTargets.Remove(expired);
        }
        var everySilo = _scaledJobs.Count > 0;
        var now = WindowSpread.Moves(silos, s => (everySilo || _joins.Joined(s)) && !_recentTargets.ContainsKey(s))
            .Where(m => m.From.Equals(local.SiloAddress)).Select(m => m.To).ToList();
        var before = _lastMoves;
        _lastMoves = now;
        var own = silos.First(s => s.Address.Equals(local.SiloAddress));
        var targets = now.Where(t => before.Contains(t)).Take(Math.Min(Math.Min(now.Count, before.Count), MovesInFlight(own) - leaving)).ToList();
        if (targets.Count == 0)
        {
            return;
        }
        _lastMoves = [];
        var asked = moves.RequestMoves(targets);
        foreach (var target in asked)
        {
            load.Added(target);
            _recentTargets[target] = clock + 3 * FarmReporter.Period;
        }
        if (asked.Count > 0)
        {
            logger.LogInformation("{Silo} sends {Count} windows to emptier silos", local.Name, asked.Count);
        }
        if (asked.Count < targets.Count)
        {
            logger.LogInformation("{Silo}: none of its {Movable} movable windows goes to {Targets} (not known to serve their model)",
                local.Name, moves.Count, string.Join(", ", targets.Except(asked)));
        }
    }

    /// <summary>
    /// How many windows <paramref name="own"/> (this silo) has moving at once: each move carries its latents and logs,
    /// and a silo that sent its whole surplus at once stalled every window waiting for the moving ones' edges. Half of
    /// the windows that share a slot (at least <see cref="MinMovesInFlightPerSlot"/>): a window on a slot shared by n
    /// steps once every n calls of it, so while half of them move the others still have a turn each to take, and a
    /// silo holding 37 windows a slot after a scale-out hands its surplus over in a few rounds instead of a dozen.
    /// </summary>
    private int MovesInFlight(SiloLoad own) =>
        Math.Max(MinMovesInFlightPerSlot, own.OtherWindows / Math.Max(1, own.OpenSlots) / 2) * executor.Slots;

    /// <summary>
    /// Silos that joined while windows were running take windows until they hold their share; without a join the others
    /// never do. A silo whose pass has not reached it yet also holds fewer windows than the mean (an anchored pass starts
    /// window by window down the clip), and sending it windows would only break up the blocks that placement made.
    /// </summary>
    private void TrackJoins(IReadOnlyList<SiloLoad> silos)
    {
        foreach (var joined in _joins.Judge(silos))
        {
            _scaledJobs.UnionWith(_runningJobs);
            load.ScaledJobs = [.. _scaledJobs];
            logger.LogInformation("{Silo} sees {Joined} join while windows run: it takes windows until it holds its share", local.Name, joined);
        }
    }

    /// <summary>Stops taking windows and hands the running ones over, until none is left here or the drain times out.</summary>
    private async Task StopAsync(CancellationToken cancellation)
    {
        await _stop.CancelAsync();
        foreach (var task in new[] { _loop, _watch }.OfType<Task>())
        {
            await task.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        if (executor.Slots == 0)
        {
            return;
        }
        load.StartDraining();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        deadline.CancelAfter(timing.Value.DrainTimeout);
        try
        {
            if (services.GetService(typeof(FarmReporter)) is FarmReporter reporter)
            {
                await Monitor.Report(reporter.Snapshot()).WaitAsync(deadline.Token); // the others stop placing windows here
            }
            while (running.Snapshot().Sum(j => j.Windows) > 0)
            {
                Observe(await Monitor.Silos().WaitAsync(deadline.Token));
                var open = load.Snapshot().Where(s => !s.Draining && s.Slots > 0 && !s.Address.Equals(local.SiloAddress)).ToList();
                if (open.Count == 0)
                {
                    logger.LogWarning("{Silo} stops with running windows and no other silo to take them", local.Name);
                    return;
                }
                var targets = WindowSpread.HandOverTargets(open, moves.Count);
                var asked = moves.RequestMoves(targets, stopping: true);
                foreach (var target in asked)
                {
                    load.Added(target);
                }
                if (asked.Count > 0)
                {
                    logger.LogInformation("{Silo} is stopping: hands {Count} windows over", local.Name, asked.Count);
                }
                await Task.Delay(TimeSpan.FromMilliseconds(100), deadline.Token);
            }
        }
        catch (OperationCanceledException)
        {
            logger.LogWarning("{Silo} stopped before handing every window over; the rest resume from their checkpoints", local.Name);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "{Silo} could not hand its windows over; they resume from their checkpoints", local.Name);
        }
    }
}
