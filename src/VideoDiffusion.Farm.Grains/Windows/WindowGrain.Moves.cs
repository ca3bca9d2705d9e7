using Microsoft.Extensions.Logging;
using VideoDiffusion.Farm.Abstractions.Protocol;
using Orleans.Runtime.Placement;
using VideoDiffusion.Farm.Diffusion.Denoising;
using VideoDiffusion.Farm.Diffusion.Rendering;
using VideoDiffusion.Farm.Diffusion.Tensors;
using VideoDiffusion.Farm.Grains.Storage;
using VideoDiffusion.Farm.Grains.Telemetry;

namespace VideoDiffusion.Farm.Grains.Windows;

/// <summary>
/// How a window moves between silos at a step boundary (rebalancing, or a stopping silo handing it over) and how the
/// next activation takes its state back, so no step is computed twice and no neighbour rewinds.
/// </summary>
public sealed partial class WindowGrain
{
    void IGrainMigrationParticipant.OnDehydrate(IDehydrationContext context)
    {
        if (_moving)
        {
            context.TryAddValue(WindowHandOver.ContextKey, CurrentHandOver());
        }
    }

    void IGrainMigrationParticipant.OnRehydrate(IRehydrationContext context)
    {
        if (context.TryGetValue<WindowHandOver>(WindowHandOver.ContextKey, out var handOver) && handOver is not null)
        {
            _handOver = handOver;
            _passTrace = handOver.PassTrace;
            _edges.Import(handOver.Edges);
            CountArrival(handOver);
        }
    }

    /// <summary>
    /// One step's prediction from the executor. A window asked to move while its step still waits for a slot withdraws
    /// the step and leaves at once, at the boundary before it: behind a silo's queue of other windows' steps, waiting for
    /// the step to run first would hold the move for as long as the queue is, while the farm's view still counts it here.
    /// </summary>
    async ValueTask<IReadOnlyList<LatentTensor>> IWindowStepper.PredictAsync(IReadOnlyList<WindowStepInput> inputs, CancellationToken cancellation)
    {
        var urgent = _job.Plan.IsAnchor(_pass.Name);
        using (var step = CancellationTokenSource.CreateLinkedTokenSource(cancellation, _leave.Token))
        {
            try
            {
                return [await executor.DenoiseAsync(_job.Model, inputs[0], step.Token, _job.Priority, _job.Tenant, urgent)];
            }
            catch (OperationCanceledException) when (_leave.IsCancellationRequested && !cancellation.IsCancellationRequested)
            {
                await LeaveIfMovingAsync(_nextStep, _job.Plan.Spec.Steps, cancellation);
            }
        }
        // asked to "move" to this silo: nothing to leave for
        return [await executor.DenoiseAsync(_job.Model, inputs[0], cancellation, _job.Priority, _job.Tenant, urgent)];
    }

    /// <summary>
    /// At a step boundary, when a move was asked for: stores the hand-over (whichever activation comes next, on whatever
    /// silo and however it is created, continues from it) and leaves the loop for <see cref="MoveTo"/>.
    /// </summary>
    private async Task LeaveIfMovingAsync(int nextStep, int steps, CancellationToken cancellation)
    {
        if (_moveTo is { } target && nextStep < steps && !target.Equals(silo.SiloAddress))
        {
            await artifacts.SaveBytesAsync(JobArtifacts.HandOverKey(_key), serializer.SerializeToArray(CurrentHandOver()), cancellation);
            _handOverStored = true;
            throw new WindowMovingException(target);
        }
    }

    private WindowHandOver CurrentHandOver() => new()
    {
        NextStep = _nextStep, Latents = FloatBytes.From(_window.Latents.Data), Edges = _edges.Export(), PassTrace = _passTrace,
        From = silo.SiloAddress.ToString(),
    };

    /// <summary>Counts a move where it arrives (the silo it left may be gone), when the window came from another silo.</summary>
    private void CountArrival(WindowHandOver handOver)
    {
        if (handOver.From != silo.SiloAddress.ToString())
        {
            FarmMetrics.WindowMoves.Add(1, SiloTag);
        }
    }

    /// <summary>
    /// Leaves for <paramref name="target"/> with everything needed to go on at the step reached (Orleans migration:
    /// the new activation gets <see cref="WindowHandOver"/> and starts at once). Messages sent meanwhile follow it. If
    /// the move fails, the window is deactivated and its next call resumes it from its checkpoint.
    /// </summary>
    private void MoveTo(SiloAddress target)
    {
        logger.LogInformation("window {Window} moves to {Silo} at step {Step}", _key.GrainKey, target, _nextStep);
        _moving = true;
        RequestContext.Set(IPlacementDirector.PlacementHintKey, target);
        try
        {
            MigrateOnIdle();
        }
        finally
        {
            RequestContext.Remove(IPlacementDirector.PlacementHintKey);
        }
    }

    /// <summary>
    /// The state this window left its last silo with: from the migration, or else from the store (an activation that
    /// did not get the migration's context, or one that replaced it). The stored copy stays until a later checkpoint
    /// supersedes it, so any activation before then continues from it. Edges pushed to the old activation after it
    /// stored its state are pulled again from the neighbours' logs.
    /// </summary>
    private async Task<WindowHandOver?> TakeHandOverAsync(CancellationToken cancellation)
    {
        var handOver = _handOver;
        _handOver = null;
        var stored = await artifacts.LoadBytesAsync(JobArtifacts.HandOverKey(_key), cancellation);
        _handOverStored = stored is not null;
        if (handOver is null && stored is not null)
        {
            handOver = serializer.Deserialize<WindowHandOver>(stored) ?? throw new InvalidDataException($"window {_key.GrainKey}: empty hand-over");
            _passTrace ??= handOver.PassTrace;
            _edges.Import(handOver.Edges);
            _nextStep = handOver.NextStep;
            logger.LogInformation("window {Window} continues from its stored hand-over at step {Step}", _key.GrainKey, handOver.NextStep);
            CountArrival(handOver); // a migration that did not happen (its silo stopping) ends here too
            await _exchange.PullSinceAsync(handOver.NextStep, FusingWindows, cancellation);
        }
        return handOver;
    }

    /// <summary>Deletes the stored hand-over once a checkpoint (or the final latents) at a later step exists.</summary>
    private async Task ForgetHandOverAsync(CancellationToken cancellation)
    {
        if (_handOverStored)
        {
            await artifacts.Store.DeleteAsync(JobArtifacts.HandOverKey(_key), cancellation);
            _handOverStored = false;
        }
    }

    /// <summary>
    /// How far this window had got by its neighbours' mailboxes (a step after the last edge they got from it); 0 for a
    /// window without neighbours. Only the recomputed-steps meter uses it, and only when the window resumes from a
    /// checkpoint or rewinds (asking on every first start floods a job's start with calls): a neighbour that does not
    /// answer within a few seconds counts as having seen nothing, and never holds the window up.
    /// </summary>
    private async Task<int> NeighboursSawAsync(CancellationToken cancellation)
    {
        var seen = await Task.WhenAll(FusingNeighbours.Select(async n =>
        {
            try
            {
                return await GrainFactory.GetGrain<IWindowGrain>(n.GrainKey).LastStepFrom(_key.Index).WaitAsync(TimeSpan.FromSeconds(5), cancellation);
            }
            catch (Exception e) when (e is TimeoutException or OrleansException)
            {
                logger.LogDebug("window {Window}: neighbour {Neighbour} did not say how far it saw this window ({Error})", _key.GrainKey, n.GrainKey, e.Message);
                return -1;
            }
        }));
        return seen.Length == 0 ? 0 : seen.Max() + 1;
    }
}
