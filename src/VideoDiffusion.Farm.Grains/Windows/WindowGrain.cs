using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Runtime.Placement;
using Orleans.Runtime;
using VideoDiffusion.Farm.Abstractions;
using VideoDiffusion.Farm.Diffusion.Denoising;
using VideoDiffusion.Farm.Diffusion.Plans;
using VideoDiffusion.Farm.Diffusion.Rendering;
using VideoDiffusion.Farm.Diffusion.Sampling;
using VideoDiffusion.Farm.Diffusion.Tensors;
using VideoDiffusion.Farm.Grains.Execution;
using VideoDiffusion.Farm.Grains.Hosting;
using VideoDiffusion.Farm.Grains.Jobs;
using VideoDiffusion.Farm.Grains.Monitoring;
using VideoDiffusion.Farm.Grains.Placement;
using VideoDiffusion.Farm.Grains.Storage;
using VideoDiffusion.Farm.Grains.Telemetry;
using VideoDiffusion.Farm.Abstractions.Protocol;

namespace VideoDiffusion.Farm.Grains.Windows;

/// <summary>
/// One window of one job: runs its task from the job's plan through the core's <see cref="WindowStepLoop"/>, each
/// step on the silo's denoise executor; at sync points only the overlap frames travel, directly to the two neighbours;
/// checkpoints every few steps. Its latents stay on its silo until it moves, at a step boundary, with them
/// (<c>WindowGrain.Moves.cs</c>).
///
/// Why neighbours cannot deadlock: the loop runs in the background, outside any grain request
/// (<see cref="EnsureRunning"/> returns at once), and <see cref="ReceiveEdge"/> only stores the frames and wakes the
/// loop. A window pushes its edges one way and then waits locally for its neighbours' edges, so no grain call ever
/// waits on another window's progress.
/// </summary>
[AcceleratorPlacement]
[Reentrant]
public sealed partial class WindowGrain(
    DenoiseExecutor executor,
    JobPlans plans,
    JobArtifacts artifacts,
    IOptions<AcceleratorOptions> accelerator,
    IOptions<FarmTimingOptions> timing,
    ILocalSiloDetails silo,
    Orleans.Serialization.Serializer serializer,
    ILogger<WindowGrain> logger) : Grain, IWindowGrain, IWindowStepper, IGrainMigrationParticipant
{
    private readonly EdgeMailbox _edges = new();
    private JobProgressReports _progress = null!;
    private EdgeExchange _exchange = null!;
    private readonly CancellationTokenSource _cancel = new();
    private CancellationTokenSource? _run;
    private WindowKey _key;
    private Task? _loop;
    private bool _finished;
    private int? _rewindTo;
    private int _nextStep;
    private PlannedJob _job = null!;
    private PassPlan _pass = null!;
    private WindowState _window = null!;
    private volatile SiloAddress? _moveTo;
    private CancellationTokenSource _leave = new();
    private bool _moving;
    private WindowHandOver? _handOver;
    private bool _handOverStored;
    private string? _passTrace;

    private TagList SiloTag => new() { { "silo", silo.Name } };
    private int CheckpointEvery => Math.Max(1, accelerator.Value.CheckpointEvery);

    /// <summary>How many windows of this pass exchange edges: all of them in a pass that fuses, none otherwise.</summary>
    private int FusingWindows => _pass.Fusion.Fuses ? _pass.Windows.Windows.Count : 0;

    /// <summary>The windows this one exchanges edges with (none in a pass that does not fuse).</summary>
    private IEnumerable<WindowKey> FusingNeighbours => _key.Neighbours(FusingWindows);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _key = WindowKey.Parse(this.GetPrimaryKeyString());
        _exchange = new EdgeExchange(_key, GrainFactory, _edges, timing.Value.EdgeStallTimeout, logger, SiloTag);
        _progress = ServiceProvider.GetRequiredService<JobProgressReports>();
        if (_handOver is not null)
        {
            _loop = RunGuardedAsync(); // moved here from another silo: carry on at the step it reached
        }
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // a stopping (or failed) silo loses at most the steps since the last checkpoint: the next activation, on
        // another silo, resumes there and its neighbours replay their edges (see ResumeAsync)
        _cancel.Cancel();
        return Task.CompletedTask;
    }

    public Task EnsureRunning()
    {
        if (_finished)
        {
            // the job may have missed the completion (its silo was lost): say it again, it ignores repeats
            _ = NotifyJobAsync(job => job.WindowCompleted(_key));
        }
        else if (_loop is null || (_loop.IsCompleted && !_cancel.IsCancellationRequested))
        {
            _loop = RunGuardedAsync();
        }
        return Task.CompletedTask;
    }

    public Task ReceiveEdge(EdgeMessage edge)
    {
        _edges.Receive(edge);
        // an edge for a window that is not running (for example after its silo died) restarts it from its checkpoint
        return EnsureRunning();
    }

    public Task<EdgeMessage[]> GetEdges(int toWindow, int afterStep)
    {
        var needFrom = afterStep + 1;
        if (needFrom < _edges.LogFromFor(toWindow) && (_finished || _loop is not { IsCompleted: false } || needFrom < _nextStep))
        {
            // the asked edges are not in this activation's log (lost with a silo, or pruned): recompute them from the
            // checkpoint at or before that step; they arrive by push. Rare, and only after failures.
            logger.LogInformation("window {Window} rewinds to step {Step} for a resuming neighbour", _key.GrainKey, needFrom);
            _rewindTo = Math.Min(needFrom, _rewindTo ?? int.MaxValue);
            _finished = false;
            if (_loop is null || _loop.IsCompleted)
            {
                _loop = RunGuardedAsync();
            }
            else
            {
                _run?.Cancel();
            }
        }
        return Task.FromResult(_edges.SentTo(toWindow, afterStep));
    }

    public Task<int> LastStepFrom(int fromWindow) => Task.FromResult(_edges.LastStepFrom(fromWindow));

    public Task NeighbourFinished(int window)
    {
        _edges.ForgetSentTo(window);
        return Task.CompletedTask;
    }

    public Task Cancel()
    {
        _cancel.Cancel();
        _edges.CancelWaiters();
        return Task.CompletedTask;
    }

    private async Task RunGuardedAsync()
    {
        while (true)
        {
            using var run = CancellationTokenSource.CreateLinkedTokenSource(_cancel.Token);
            _run = run;
            var rewindTo = _rewindTo;
            _rewindTo = null;
            // the job's trace, the one the first start was called in, also after the window moved silos
            _passTrace ??= Activity.Current?.Id;
            using var span = FarmMetrics.Activities.StartActivity("window.pass", ActivityKind.Internal, _passTrace);
            span?.SetTag("farm.job.id", _key.JobId).SetTag("farm.pass", _key.Pass).SetTag("farm.window", _key.Index).SetTag("farm.silo", silo.Name);
            try
            {
                await RunAsync(rewindTo, run.Token);
                _finished = true;
                await NotifyJobAsync(job => job.WindowCompleted(_key));
                if (_rewindTo is null)
                {
                    return;
                }
                // a neighbour asked for a rewind while this was reporting: the job counts this window done, so run again now
            }
            catch (WindowMovingException move)
            {
                MoveTo(move.Target);
                return;
            }
            catch (WindowNotReadyException)
            {
                return;
            }
            catch (Exception) when (_rewindTo.HasValue && !_cancel.IsCancellationRequested)
            {
                // a neighbour asked for a rewind: run again from the older checkpoint
            }
            catch (Exception) when (_cancel.IsCancellationRequested)
            {
                logger.LogDebug("window {Window} stopped", _key.GrainKey); // cancelled, or this activation is going away
                return;
            }
            catch (Exception e)
            {
                logger.LogError(e, "window {Window} failed", _key.GrainKey);
                await NotifyJobAsync(job => job.WindowFailed(_key, e.Message));
                return;
            }
        }
    }

    private async Task RunAsync(int? rewindTo, CancellationToken cancellation)
    {
        await artifacts.ThrowIfStoppedAsync(_key.JobId, _cancel, cancellation);
        _job = await plans.GetAsync(_key.JobId, cancellation);
        var plan = _job.Plan;
        var task = plan.Task(_key.Ref());
        // farm view: this window counts as running on this silo until the loop leaves, however it leaves
        using var running = ServiceProvider.GetRequiredService<RunningWindows>().Register(_key.JobId, _job.Tenant, plan.Pass(_key.Pass).Chained);
        if (rewindTo is null && await artifacts.Store.ExistsAsync(JobArtifacts.FinalKey(_key), cancellation))
        {
            return; // done before (this is a re-activation): report completion again
        }
        _pass = plan.Pass(_key.Pass);
        var start = await StartAsync(plan, task, rewindTo, cancellation);
        // movable from here on: a balancer or a stopping silo may send it elsewhere at a step boundary
        var servers = ServiceProvider.GetRequiredService<ModelServers>();
        // not disposed: a move asked for on another thread may signal it after this run has ended
        var leave = new CancellationTokenSource();
        _leave = leave;
        using var movable = ServiceProvider.GetRequiredService<WindowMoves>().Register(_key.GrainKey, target =>
            {
                _moveTo = target;
                leave.Cancel();
            },
            target => servers.Serves(target, _job.Model, _job.ModelHash), pinned: _pass.Chained);
        var loop = new WindowStepLoop(new FlowMatchEulerScheduler(plan.Spec.Steps, plan.Spec.Shift), plan.Prompts.Unconditional, plan.GuidanceOf(_pass));
        await loop.RunAsync([_window], start, plan.Spec.Steps, _pass.Fusion, this, cancellation);
        _nextStep = plan.Spec.Steps;
        await artifacts.SaveLatentsAsync(JobArtifacts.FinalKey(_key), _window.Latents, plan.Spec.Steps, cancellation);
        _window = null!; // stored: the latents need not stay in memory while the activation lingers
        await ForgetHandOverAsync(cancellation);
        // finished windows linger until Orleans collects them; without this their logs of sent edges would grow with the clip
        foreach (var neighbour in FusingNeighbours)
        {
            await GrainFactory.GetGrain<IWindowGrain>(neighbour.GrainKey).NeighbourFinished(_key.Index);
        }
    }

    /// <summary>
    /// Lays out the window's starting state and returns the step to continue from. The finished windows it is given
    /// context from and a hand-over's latents are read, used and dropped here: a running window holds its own state
    /// only, however many windows of a job wait for a slot at once.
    /// </summary>
    private async Task<int> StartAsync(JobPlan plan, WindowTask task, int? rewindTo, CancellationToken cancellation)
    {
        if (await artifacts.TryLoadFinalFramesAsync(_key.JobId, plan.ContextOf(task.Id), cancellation) is not { } context)
        {
            if (!await artifacts.Store.ExistsAsync(JobArtifacts.PlanKey(_key.JobId), cancellation))
            {
                // the store lost the job (emptied or replaced under the farm): what this window waits for never comes
                throw new InvalidDataException($"the job's stored plan and the final latents window {_key.GrainKey} needs are gone from the artifact store");
            }
            // activated by a neighbour's call before the job started it: the job starts it once its context is stored
            logger.LogDebug("window {Window} waits for the windows it depends on", _key.GrainKey);
            throw new WindowNotReadyException();
        }
        var handOver = rewindTo is null ? await TakeHandOverAsync(cancellation) : null;
        _window = plan.Start(task, (r, f) => context[(r, f)], handOver is null ? null : FloatBytes.ToFloats(handOver.Latents));
        return await ResumeAsync(plan.Spec.Steps, rewindTo, handOver, cancellation);
    }

    ValueTask IWindowStepper.FuseAsync(int step, CancellationToken cancellation) =>
        new(_exchange.ExchangeAndFuseAsync(step, _window.Latents, _pass.Windows, _job.Plan.Spec.Blend, cancellation));

    async ValueTask IWindowStepper.SteppedAsync(int step, CancellationToken cancellation)
    {
        var steps = _job.Plan.Spec.Steps;
        _nextStep = step + 1;
        if (step == 0 && _key.Index == 0 && _key.Pass == _job.Plan.Passes[0].Name)
        {
            await NotifyJobAsync(job => job.WindowProgressed(_key, 0)); // the job's first window-step: its queue wait ends
        }
        if ((step + 1) % CheckpointEvery == 0 && step + 1 < steps)
        {
            await artifacts.SaveLatentsAsync(JobArtifacts.CheckpointKey(_key, step + 1), _window.Latents, step + 1, cancellation);
            FarmMetrics.Checkpoints.Add(1, SiloTag);
            await ForgetHandOverAsync(cancellation);
        }
        // a neighbour's edge for step t says it has used this window's edges up to t - 1 and stored its checkpoint at
        // the multiple of CheckpointEvery at or below t
        _edges.PruneBelowCheckpointsOf(FusingNeighbours.Select(n => n.Index), accelerator.Value.KeepSentEdgesUntilCheckpoint ? CheckpointEvery : 1);
        if (step + 1 < steps)
        {
            // the silo tells the job once a progress period, for all of its windows here
            _progress.Stepped(_key, (step + 1) * 100 / steps);
        }
        await LeaveIfMovingAsync(step + 1, steps, cancellation);
    }

    /// <summary>Calls the job grain, retrying while its silo is being replaced (its state is persisted).</summary>
    private Task NotifyJobAsync(Func<IRenderJobGrain, Task> call) =>
        GrainRetry.CallAsync(logger, _key.GrainKey, _key.JobId, () => call(GrainFactory.GetGrain<IRenderJobGrain>(_key.JobId)), CancellationToken.None);
}
