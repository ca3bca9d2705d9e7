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
using VideoDiffusion.Farm.Grains.Placement;
using VideoDiffusion.Farm.Grains.Storage;

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
    ILogger<WindowGrain> logger) : Grain, IWindowGrain
{
    private readonly Dictionary<(int Step, int From), float[]> _inbox = [];
    private readonly Dictionary<(int Step, int From), TaskCompletionSource<float[]>> _waiting = [];
    private readonly List<(int To, EdgeMessage Edge)> _sent = [];
    private readonly CancellationTokenSource _cancel = new();
    private WindowKey _key;
    private Task? _loop;
    private bool _finished;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _key = WindowKey.Parse(this.GetPrimaryKeyString());
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _cancel.Cancel();
        return Task.CompletedTask;
    }

    public Task EnsureRunning()
    {
        if (_loop is null || (_loop.IsCompleted && !_finished && !_cancel.IsCancellationRequested))
        {
            _loop = RunGuardedAsync();
        }
        return Task.CompletedTask;
    }

    public Task ReceiveEdge(EdgeMessage edge)
    {
        var id = (edge.Step, edge.FromWindow);
        if (_waiting.Remove(id, out var waiter))
        {
            waiter.TrySetResult(edge.Frames);
        }
        else
        {
            _inbox[id] = edge.Frames;
        }
        // an edge for a window that is not running (for example after its silo died) restarts it from its checkpoint
        return EnsureRunning();
    }

    public Task<EdgeMessage[]> GetEdges(int toWindow, int afterStep) =>
        Task.FromResult(_sent.Where(s => s.To == toWindow && s.Edge.Step > afterStep).Select(s => s.Edge).ToArray());

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
        try
        {
            await RunAsync(_cancel.Token);
            _finished = true;
            await NotifyJobAsync(job => job.WindowCompleted(_key));
        }
        catch (OperationCanceledException) when (_cancel.IsCancellationRequested)
        {
            logger.LogDebug("window {Window} cancelled", _key.GrainKey);
        }
        catch (Exception e)
        {
            logger.LogError(e, "window {Window} failed", _key.GrainKey);
            await NotifyJobAsync(job => job.WindowFailed(_key, e.Message));
        }
    }

    private async Task RunAsync(CancellationToken cancellation)
    {
        var request = await artifacts.LoadRequestAsync(_key.JobId, cancellation);
        if (await artifacts.Store.ExistsAsync(JobArtifacts.FinalKey(_key), cancellation))
        {
            return; // done before (this is a re-activation): report completion again
        }
        var manifest = catalog.Manifest(request.Model);
        var spec = RenderJobSpec.Resolve(JobRequestMapper.ToRenderRequest(request), manifest);
        var layout = PassLayout.For(spec, _key.Pass);
        var span = layout.Plan.Windows[_key.Index];
        var conditioning = await ConditioningAsync(request.Model, spec, manifest, cancellation);
        var window = WindowFactory.Create(manifest, spec.Seed, conditioning, span, layout.FramesOf(_key.Index), layout.Stride);
        await GiveContextAsync(spec, layout, window, cancellation);

        var scheduler = new FlowMatchEulerScheduler(spec.Steps, spec.Shift);
        var start = await ResumeAsync(window, spec.Steps, exchanges: layout.SyncEvery > 0 || layout.FuseAtEnd, cancellation);
        var checkpointEvery = Math.Max(1, options.Value.CheckpointEvery);
        var reported = start * 4 / spec.Steps;
        for (var step = start; step < spec.Steps; step++)
        {
            cancellation.ThrowIfCancellationRequested();
            var velocity = await executor.DenoiseAsync(request.Model, window.StepInput(scheduler.Timestep(step), conditioning.Unconditional, spec.Guidance), cancellation);
            scheduler.Step(step, window.Latents, velocity);
            if (layout.SyncsAfter(step))
            {
                await ExchangeAndFuseAsync(layout, spec, window, step, cancellation);
            }
            if ((step + 1) % checkpointEvery == 0 && step + 1 < spec.Steps)
            {
                await artifacts.SaveLatentsAsync(JobArtifacts.CheckpointKey(_key, step + 1), window.Latents, step + 1, cancellation);
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
        window.ApplyContext();
        if (layout.FusesAfterSampling(spec.Steps))
        {
            await ExchangeAndFuseAsync(layout, spec, window, spec.Steps, cancellation);
        }
        await artifacts.SaveLatentsAsync(JobArtifacts.FinalKey(_key), window.Latents, spec.Steps, cancellation);
        if (spec.Strategy == RenderStrategy.Autoregressive && _key.Index + 1 < layout.Plan.Windows.Count)
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

    /// <summary>Clean context: keyframes for a keyframe-strategy fill window, the predecessor's tail for autoregressive.</summary>
    private async Task GiveContextAsync(RenderJobSpec spec, PassLayout layout, WindowState window, CancellationToken cancellation)
    {
        if (spec.Strategy == RenderStrategy.Keyframes && _key.Pass == PassLayout.Main)
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
        else if (spec.Strategy == RenderStrategy.Autoregressive && _key.Index > 0)
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

    /// <summary>Continues from the last stored checkpoint, pulling the neighbours' edges sent since then.</summary>
    private async Task<int> ResumeAsync(WindowState window, int steps, bool exchanges, CancellationToken cancellation)
    {
        var every = Math.Max(1, options.Value.CheckpointEvery);
        for (var step = (steps - 1) / every * every; step > 0; step -= every)
        {
            if (await artifacts.LoadLatentsAsync(JobArtifacts.CheckpointKey(_key, step), cancellation) is { } checkpoint)
            {
                checkpoint.Latents.Data.CopyTo(window.Latents.Data, 0);
                foreach (var neighbour in new[] { _key.Index - 1, _key.Index + 1 })
                {
                    if (neighbour < 0 || !exchanges)
                    {
                        continue;
                    }
                    try
                    {
                        foreach (var edge in await GrainFactory.GetGrain<IWindowGrain>(_key.Neighbour(neighbour - _key.Index).GrainKey).GetEdges(_key.Index, step - 1))
                        {
                            await ReceiveEdge(edge);
                        }
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        logger.LogDebug(e, "window {Window}: neighbour {Neighbour} has no edges to give", _key.GrainKey, neighbour);
                    }
                }
                logger.LogInformation("window {Window} resumed from its checkpoint at step {Step}", _key.GrainKey, step);
                return step;
            }
        }
        return 0;
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
        return PushAsync(_key.Neighbour(to - _key.Index), new EdgeMessage(step, _key.Index, frames), cancellation);
    }

    /// <summary>Delivers an edge, retrying while the neighbour's silo is lost; the retry re-activates it elsewhere.</summary>
    private async Task PushAsync(WindowKey to, EdgeMessage edge, CancellationToken cancellation)
    {
        var grain = GrainFactory.GetGrain<IWindowGrain>(to.GrainKey);
        for (var attempt = 1; ; attempt++)
        {
            cancellation.ThrowIfCancellationRequested();
            try
            {
                await grain.ReceiveEdge(edge);
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException && attempt < 120)
            {
                logger.LogWarning("window {Window}: edge to {To} failed ({Error}); retrying", _key.GrainKey, to.GrainKey, e.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(2000, 100 * attempt)), cancellation);
            }
        }
    }

    private Task<float[]> WaitForEdgeAsync(int step, int from, CancellationToken cancellation)
    {
        if (_inbox.Remove((step, from), out var frames))
        {
            return Task.FromResult(frames);
        }
        var waiter = new TaskCompletionSource<float[]>();
        _waiting[(step, from)] = waiter;
        cancellation.Register(() => waiter.TrySetCanceled());
        return waiter.Task;
    }

    private void PruneSentEdges(int beforeStep) => _sent.RemoveAll(s => s.Edge.Step < beforeStep && s.Edge.Step >= 0);

    /// <summary>Calls the job grain, retrying while its silo is being replaced (its state is persisted).</summary>
    private async Task NotifyJobAsync(Func<IRenderJobGrain, Task> call)
    {
        var job = GrainFactory.GetGrain<IRenderJobGrain>(_key.JobId);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await call(job);
                return;
            }
            catch (Exception e) when (attempt < 60)
            {
                logger.LogWarning("window {Window}: job grain call failed ({Error}); retrying", _key.GrainKey, e.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(2000, 100 * attempt)));
            }
        }
    }
}
