using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using VideoDiffusion.Farm.Abstractions;
using VideoDiffusion.Farm.Diffusion.Models;
using VideoDiffusion.Farm.Diffusion.Rendering;
using VideoDiffusion.Farm.Diffusion.Sampling;
using VideoDiffusion.Farm.Diffusion.Text;
using VideoDiffusion.Farm.Grains.Execution;
using VideoDiffusion.Farm.Grains.Jobs;
using VideoDiffusion.Farm.Grains.Monitoring;
using VideoDiffusion.Farm.Grains.Placement;
using VideoDiffusion.Farm.Grains.Storage;
using VideoDiffusion.Farm.Grains.Telemetry;

namespace VideoDiffusion.Farm.Grains.Windows;

/// <summary>
/// One window of one job. Its latents stay on this silo; each step is handed to the silo's denoise executor; at sync
/// points only the overlap frames travel, directly to the two neighbours.
///
/// Why neighbours cannot deadlock: the sampling loop runs in the background, outside any grain request
/// (<see cref="EnsureRunning"/> returns at once), and <see cref="ReceiveEdge"/> only stores the frames and wakes the
/// loop. A window pushes its edges one way and then waits locally for its neighbours' edges to arrive, so no grain
/// call ever waits on another window's progress.
/// </summary>
[AcceleratorPlacement]
[Reentrant]
public sealed class WindowGrain(
    DenoiseExecutor executor,
    ModelCatalog catalog,
    JobArtifacts artifacts,
    IOptions<AcceleratorOptions> options,
    ILocalSiloDetails silo,
    ILogger<WindowGrain> logger) : Grain, IWindowGrain
{
    private TagList SiloTag => new() { { "silo", silo.Name } };

    private readonly Dictionary<(int Step, int From), float[]> _inbox = [];
    private readonly Dictionary<(int Step, int From), TaskCompletionSource<float[]>> _waiting = [];
    private readonly List<(int To, EdgeMessage Edge)> _sent = [];
    private readonly CancellationTokenSource _cancel = new();
    private CancellationTokenSource? _run;
    private WindowKey _key;
    private Task? _loop;
    private bool _finished;
    private int? _rewindTo;
    private int _logFrom = int.MaxValue; // the log holds every edge sent from this step on
    private int _nextStep;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _key = WindowKey.Parse(this.GetPrimaryKeyString());
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // a stopping silo (or a failed one) loses at most the steps since the last checkpoint: the next activation, on
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
            return Task.CompletedTask;
        }
        if (_loop is null || (_loop.IsCompleted && !_finished && !_cancel.IsCancellationRequested))
        {
            _loop = RunGuardedAsync();
        }
        return Task.CompletedTask;
    }

    /// <summary>
    /// Recomputes from the checkpoint at or before <paramref name="step"/>: a neighbour that resumed from an older
    /// checkpoint needs edges this activation no longer has (lost with a silo, or pruned). Rare, and only after failures.
    /// </summary>
    private void Rewind(int step)
    {
        logger.LogInformation("window {Window} rewinds to step {Step} for a resuming neighbour", _key.GrainKey, step);
        _rewindTo = Math.Min(step, _rewindTo ?? int.MaxValue);
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

    public Task ReceiveEdge(EdgeMessage edge)
    {
        var id = (edge.Step, edge.FromWindow);
        if (!(_waiting.Remove(id, out var waiter) && waiter.TrySetResult(edge.Frames)))
        {
            _inbox[id] = edge.Frames;
        }
        // an edge for a window that is not running (for example after its silo died) restarts it from its checkpoint
        return EnsureRunning();
    }

    public Task<EdgeMessage[]> GetEdges(int toWindow, int afterStep)
    {
        var needFrom = afterStep + 1;
        var running = _loop is { IsCompleted: false };
        if (needFrom < _logFrom && (_finished || !running || needFrom < _nextStep))
        {
            // the asked edges are not in this activation's log: recompute them; they arrive by push
            Rewind(needFrom);
        }
        return Task.FromResult(_sent.Where(s => s.To == toWindow && s.Edge.Step > afterStep).Select(s => s.Edge).ToArray());
    }

    public Task Cancel()
    {
        _cancel.Cancel();
        foreach (var waiter in _waiting.Values)
        {
            waiter.TrySetCanceled();
        }
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
            using var span = FarmMetrics.Activities.StartActivity("window.pass");
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
                // a neighbour asked for a rewind while this was reporting: the job counts this window done and will not
                // ensure it again, so run again now
            }
            catch (Exception) when (_rewindTo.HasValue && !_cancel.IsCancellationRequested)
            {
                // a neighbour asked for a rewind: run again from the older checkpoint
            }
            catch (NotInPlanException)
            {
                // asked for by a neighbour's edge lookup past the end of the clip: nothing to run or report
                return;
            }
            catch (Exception) when (_cancel.IsCancellationRequested)
            {
                // cancelled by the job, or this activation is going away: another one resumes from the checkpoint
                logger.LogDebug("window {Window} stopped", _key.GrainKey);
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
        var request = await artifacts.LoadRequestAsync(_key.JobId, cancellation);
        // farm view: this window counts as running on this silo until the loop leaves, however it leaves
        using var running = ServiceProvider.GetRequiredService<RunningWindows>().Register(_key.JobId, request.Tenant);
        if (rewindTo is null && await artifacts.Store.ExistsAsync(JobArtifacts.FinalKey(_key), cancellation))
        {
            return; // done before (this is a re-activation): report completion again
        }
        var manifest = catalog.Manifest(request.Model);
        var spec = RenderJobSpec.Resolve(JobRequestMapper.ToRenderRequest(request), manifest);
        var layout = PassLayout.For(spec, _key.Pass);
        if (_key.Index < 0 || _key.Index >= layout.Plan.Windows.Count)
        {
            throw new NotInPlanException();
        }
        var span = layout.Plan.Windows[_key.Index];
        var conditioning = await ConditioningAsync(request.Model, spec, manifest, cancellation);
        var frames = layout.FramesOf(_key.Index);
        var window = WindowFactory.Create(manifest, spec.Seed, conditioning, span, frames, layout.Stride);
        if (FirstFrameGenerator.Needed(spec, frames))
        {
            // deterministic and cheap (one frame): each window that holds frame 0 lays it out itself, as the reference does once
            var opening = await executor.RunAsync(request.Model, m => FirstFrameGenerator.Generate(
                m.FirstFrame ?? throw new InvalidOperationException($"{request.Model} has no first-frame model"), m.Manifest, spec, conditioning), cancellation, request.Priority);
            FirstFrameGenerator.GiveTo(window, frames, opening);
        }
        await GiveContextAsync(spec, layout, window, cancellation);

        var scheduler = new FlowMatchEulerScheduler(spec.Steps, spec.Shift);
        var start = await ResumeAsync(window, spec.Steps, rewindTo, layout.SyncEvery > 0 || layout.FuseAtEnd ? layout.Plan.Windows.Count : 0, cancellation);
        var checkpointEvery = Math.Max(1, options.Value.CheckpointEvery);
        var reported = start * 4 / spec.Steps;
        for (var step = start; step < spec.Steps; step++)
        {
            cancellation.ThrowIfCancellationRequested();
            _nextStep = step;
            var velocity = await executor.DenoiseAsync(request.Model, window.StepInput(scheduler.Timestep(step), conditioning.Unconditional, spec.GuidanceScale), cancellation, request.Priority);
            scheduler.Step(step, window.Latents, velocity);
            if (step == 0 && _key.Index == 0 && _key.Pass == PassLayout.First(spec))
            {
                await NotifyJobAsync(job => job.WindowProgressed(_key, 0)); // the job's first window-step: its queue wait ends
            }
            if (layout.SyncsAfter(step))
            {
                await ExchangeAndFuseAsync(layout, spec, window, step, cancellation);
            }
            if ((step + 1) % checkpointEvery == 0 && step + 1 < spec.Steps)
            {
                await artifacts.SaveLatentsAsync(JobArtifacts.CheckpointKey(_key, step + 1), window.Latents, step + 1, cancellation);
                FarmMetrics.Checkpoints.Add(1, SiloTag);
                PruneSentEdges(step + 1 - 3 * checkpointEvery - Math.Max(1, layout.SyncEvery));
            }
            // a handful of progress reports per window, so the job grain's traffic grows with windows, not steps
            var quarter = (step + 1) * 4 / spec.Steps;
            if (quarter > reported && step + 1 < spec.Steps)
            {
                reported = quarter;
                await NotifyJobAsync(job => job.WindowProgressed(_key, quarter * 25));
            }
        }
        _nextStep = spec.Steps;
        window.ApplyContext();
        if (layout.FusesAfterSampling(spec.Steps))
        {
            await ExchangeAndFuseAsync(layout, spec, window, spec.Steps, cancellation);
        }
        await artifacts.SaveLatentsAsync(JobArtifacts.FinalKey(_key), window.Latents, spec.Steps, cancellation);
        if (layout.Chained && _key.Index + 1 < layout.Plan.Windows.Count)
        {
            await PushAsync(_key.Neighbour(1), new EdgeMessage(ContextStep, _key.Index, []), cancellation);
        }
    }

    /// <summary>Edge step id an autoregressive window uses to tell its successor its final latents are stored.</summary>
    private const int ContextStep = -1;

    private async Task<ConditioningPlanner> ConditioningAsync(string model, RenderJobSpec spec, ModelManifest manifest, CancellationToken cancellation)
    {
        var prompts = spec.Storyboard.Segments.Select(s => s.Prompt).Append("").Distinct().ToList();
        var encoded = new Dictionary<string, TextConditioning>();
        foreach (var prompt in prompts)
        {
            encoded[prompt] = await executor.RunAsync(model, m => m.TextEncoder.Encode(prompt), cancellation);
        }
        return new ConditioningPlanner(spec, manifest, p => encoded[p]);
    }

    /// <summary>Clean context: keyframes for a main-pass window of a job with a keyframe pass, the predecessor's tail in a chained pass.</summary>
    private async Task GiveContextAsync(RenderJobSpec spec, PassLayout layout, WindowState window, CancellationToken cancellation)
    {
        if (spec.KeyframePass && _key.Pass == PassLayout.Main)
        {
            var keyLayout = PassLayout.For(spec, PassLayout.Keyframe);
            var loaded = new Dictionary<int, Diffusion.Tensors.LatentTensor>();
            foreach (var f in Enumerable.Range(window.Span.Start, window.Span.Length).Where(f => f % spec.KeyframeStride == 0))
            {
                var j = f / spec.KeyframeStride;
                var owner = keyLayout.Plan.OwnerOf(j);
                if (!loaded.TryGetValue(owner, out var latents))
                {
                    latents = (await artifacts.LoadLatentsAsync(JobArtifacts.FinalKey(_key with { Pass = PassLayout.Keyframe, Index = owner }), cancellation)
                               ?? throw new InvalidOperationException($"keyframe window {owner} has no final latents")).Latents;
                    loaded[owner] = latents;
                }
                window.SetContextFrame(f - window.Span.Start, latents.Frame(j - keyLayout.Plan.Windows[owner].Start));
            }
        }
        else if (layout.Chained && _key.Index > 0)
        {
            var previousKey = _key.Neighbour(-1);
            var previous = await artifacts.LoadLatentsAsync(JobArtifacts.FinalKey(previousKey), cancellation);
            if (previous is null)
            {
                await WaitForEdgeAsync(ContextStep, previousKey.Index, cancellation);
                previous = await artifacts.LoadLatentsAsync(JobArtifacts.FinalKey(previousKey), cancellation)
                           ?? throw new InvalidOperationException($"window {previousKey.Index} announced final latents that are not stored");
            }
            var tail = previous.Value.Latents;
            var overlap = layout.Plan.Windows[_key.Index - 1].End - window.Span.Start;
            for (var j = 0; j < overlap; j++)
            {
                window.SetContextFrame(j, tail.Frame(tail.Frames - overlap + j));
            }
        }
    }

    /// <summary>
    /// Continues from the last stored checkpoint (or, when rewinding, the last one at or before the asked step), and
    /// pulls the edges the neighbours sent since then. Returns the step to continue from (0: from the initial noise).
    /// </summary>
    private async Task<int> ResumeAsync(WindowState window, int steps, int? rewindTo, int exchangingWindows, CancellationToken cancellation)
    {
        var every = Math.Max(1, options.Value.CheckpointEvery);
        var latest = (Math.Min(steps - 1, rewindTo ?? int.MaxValue)) / every * every;
        var start = 0;
        for (var step = latest; step > 0; step -= every)
        {
            if (await artifacts.LoadLatentsAsync(JobArtifacts.CheckpointKey(_key, step), cancellation) is { } checkpoint)
            {
                checkpoint.Latents.Data.CopyTo(window.Latents.Data, 0);
                start = step;
                break;
            }
        }
        _logFrom = start;
        _nextStep = start;
        _sent.RemoveAll(s => s.Edge.Step >= start);
        if (start > 0 || rewindTo is not null)
        {
            logger.LogInformation("window {Window} resumed from step {Step}", _key.GrainKey, start);
            FarmMetrics.WindowResumes.Add(1, SiloTag);
            if (exchangingWindows > 0)
            {
                foreach (var offset in new[] { -1, 1 })
                {
                    if (_key.Index + offset < 0 || _key.Index + offset >= exchangingWindows)
                    {
                        continue;
                    }
                    // retried, never skipped: a neighbour that answers nothing never resends the edges this activation lost,
                    // and the two would wait for each other for ever
                    var neighbour = _key.Neighbour(offset);
                    var grain = GrainFactory.GetGrain<IWindowGrain>(neighbour.GrainKey);
                    var edges = await CallWithRetriesAsync($"{neighbour.GrainKey} (its edges)", () => grain.GetEdges(_key.Index, start - 1), cancellation);
                    foreach (var edge in edges)
                    {
                        await ReceiveEdge(edge);
                    }
                }
            }
        }
        return start;
    }

    private async Task ExchangeAndFuseAsync(PassLayout layout, RenderJobSpec spec, WindowState window, int step, CancellationToken cancellation)
    {
        var plan = layout.Plan;
        var overlapBefore = _key.Index > 0 ? plan.OverlapAfter(_key.Index - 1) : 0;
        var overlapAfter = plan.OverlapAfter(_key.Index);
        var latents = window.Latents;
        // push our own (unfused) edge frames first, then wait for the neighbours' edges
        var pushes = new List<Task>();
        if (overlapBefore > 0)
        {
            pushes.Add(SendEdgeAsync(_key.Index - 1, step, latents.FrameRange(0, overlapBefore).ToArray(), cancellation));
        }
        if (overlapAfter > 0)
        {
            pushes.Add(SendEdgeAsync(_key.Index + 1, step, latents.FrameRange(latents.Frames - overlapAfter, overlapAfter).ToArray(), cancellation));
        }
        await Task.WhenAll(pushes);
        if (overlapBefore > 0)
        {
            var left = await WaitForEdgeAsync(step, _key.Index - 1, cancellation);
            var mine = latents.FrameRange(0, overlapBefore);
            var fused = new float[mine.Length];
            Diffusion.Fusion.OverlapFusion.Fuse(left, mine, fused, overlapBefore, spec.Blend);
            fused.CopyTo(mine);
        }
        if (overlapAfter > 0)
        {
            var right = await WaitForEdgeAsync(step, _key.Index + 1, cancellation);
            var mine = latents.FrameRange(latents.Frames - overlapAfter, overlapAfter);
            var fused = new float[mine.Length];
            Diffusion.Fusion.OverlapFusion.Fuse(mine, right, fused, overlapAfter, spec.Blend);
            fused.CopyTo(mine);
        }
    }

    private Task SendEdgeAsync(int to, int step, float[] frames, CancellationToken cancellation)
    {
        // kept so a neighbour resuming from its checkpoint can ask for what it was sent since then
        _sent.Add((to, new EdgeMessage(step, _key.Index, frames)));
        FarmMetrics.EdgesSent.Add(1, SiloTag);
        return PushAsync(_key.Neighbour(to - _key.Index), new EdgeMessage(step, _key.Index, frames), cancellation);
    }

    /// <summary>Delivers an edge, retrying while the neighbour's silo is lost; the retry re-activates it elsewhere.</summary>
    private Task PushAsync(WindowKey to, EdgeMessage edge, CancellationToken cancellation)
    {
        var grain = GrainFactory.GetGrain<IWindowGrain>(to.GrainKey);
        return CallWithRetriesAsync(to.GrainKey, async () =>
        {
            await grain.ReceiveEdge(edge);
            return true;
        }, cancellation);
    }

    /// <summary>
    /// Calls another grain, retrying (with a growing pause, for about four minutes) while its silo is lost or being
    /// replaced; the retry re-activates the grain elsewhere. Gives up with the last error.
    /// </summary>
    private async Task<T> CallWithRetriesAsync<T>(string target, Func<Task<T>> call, CancellationToken cancellation)
    {
        for (var attempt = 1; ; attempt++)
        {
            cancellation.ThrowIfCancellationRequested();
            try
            {
                return await call();
            }
            catch (Exception e) when (e is not OperationCanceledException && attempt < 120)
            {
                logger.LogWarning("window {Window}: call to {Target} failed ({Error}); retrying", _key.GrainKey, target, e.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(2000, 100 * attempt)), cancellation);
            }
        }
    }

    /// <summary>How long a window waits for a neighbour's pushed edge before it asks the neighbour for it.</summary>
    public static TimeSpan EdgeStallTimeout { get; set; } = TimeSpan.FromSeconds(30);

    private async Task<float[]> WaitForEdgeAsync(int step, int from, CancellationToken cancellation)
    {
        if (_inbox.Remove((step, from), out var frames))
        {
            return frames;
        }
        var waiter = new TaskCompletionSource<float[]>();
        _waiting[(step, from)] = waiter;
        using var registration = cancellation.Register(() => waiter.TrySetCanceled());
        using var stall = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        while (await Task.WhenAny(waiter.Task, Task.Delay(EdgeStallTimeout, stall.Token)) != waiter.Task)
        {
            // a push can be lost with a silo (delivered to an activation that died before using it): pull instead; a
            // neighbour that no longer has the edge in its log recomputes it from its checkpoint and pushes it again
            cancellation.ThrowIfCancellationRequested();
            logger.LogWarning("window {Window}: no edge from window {From} for step {Step} after {Timeout}; asking for it", _key.GrainKey, from, step, EdgeStallTimeout);
            FarmMetrics.EdgePulls.Add(1, SiloTag);
            try
            {
                var edges = await GrainFactory.GetGrain<IWindowGrain>(_key.Neighbour(from - _key.Index).GrainKey).GetEdges(_key.Index, step - 1);
                foreach (var edge in edges)
                {
                    await ReceiveEdge(edge);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning("window {Window}: asking window {From} for its edges failed ({Error})", _key.GrainKey, from, e.Message);
            }
        }
        await stall.CancelAsync(); // the edge came: stop its stall timer
        return await waiter.Task;
    }

    private void PruneSentEdges(int beforeStep)
    {
        _sent.RemoveAll(s => s.Edge.Step < beforeStep);
        _logFrom = Math.Max(_logFrom, beforeStep);
    }

    /// <summary>Calls the job grain, retrying while its silo is being replaced (its state is persisted).</summary>
    private Task NotifyJobAsync(Func<IRenderJobGrain, Task> call)
    {
        var job = GrainFactory.GetGrain<IRenderJobGrain>(_key.JobId);
        return CallWithRetriesAsync(_key.JobId, async () =>
        {
            await call(job);
            return true;
        }, CancellationToken.None);
    }

    private sealed class NotInPlanException : Exception;
}
