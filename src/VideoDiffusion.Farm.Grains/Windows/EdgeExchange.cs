using System.Diagnostics;
using Microsoft.Extensions.Logging;
using VideoDiffusion.Farm.Abstractions;
using VideoDiffusion.Farm.Diffusion.Fusion;
using VideoDiffusion.Farm.Diffusion.Planning;
using VideoDiffusion.Farm.Diffusion.Rendering;
using VideoDiffusion.Farm.Diffusion.Tensors;
using VideoDiffusion.Farm.Grains.Telemetry;
using VideoDiffusion.Farm.Abstractions.Protocol;

namespace VideoDiffusion.Farm.Grains.Windows;

/// <summary>
/// How a window grain swaps overlap frames with its two neighbours: pushes its own frames (retried while a neighbour's
/// silo is replaced), waits for theirs, pulls what a lost push never delivered, and fuses its copy with the core's
/// <see cref="ClipAssembler.FuseWithNeighbour"/>.
/// </summary>
public sealed class EdgeExchange(WindowKey key, IGrainFactory grains, EdgeMailbox mailbox, TimeSpan stallTimeout, ILogger logger, TagList siloTag)
{
    /// <summary>Pushes this window's own (unfused) overlap frames to both neighbours, then fuses with theirs.</summary>
    public async Task ExchangeAndFuseAsync(int step, LatentTensor latents, WindowPlan plan, BlendMode blend, CancellationToken cancellation)
    {
        var overlaps = new[] { (Side: -1, Frames: key.Index > 0 ? plan.OverlapAfter(key.Index - 1) : 0), (Side: 1, Frames: plan.OverlapAfter(key.Index)) }
            .Where(o => o.Frames > 0).ToList();
        await Task.WhenAll(overlaps.Select(o =>
        {
            var edge = new EdgeMessage(step, key.Index, ClipAssembler.EdgeFrames(latents, o.Frames, left: o.Side < 0).ToArray());
            mailbox.Sent(key.Index + o.Side, edge);
            FarmMetrics.EdgesSent.Add(1, siloTag);
            var neighbour = key.Neighbour(o.Side);
            return GrainRetry.CallAsync(logger, key.GrainKey, neighbour.GrainKey, () => grains.GetGrain<IWindowGrain>(neighbour.GrainKey).ReceiveEdge(edge), cancellation);
        }));
        foreach (var (side, frames) in overlaps)
        {
            var theirs = await WaitAsync(step, key.Index + side, cancellation);
            ClipAssembler.FuseWithNeighbour(latents, theirs, frames, neighbourIsLeft: side < 0, blend);
        }
    }

    /// <summary>
    /// After resuming at <paramref name="start"/>, asks both neighbours for the edges they sent since then; retried,
    /// never skipped: a neighbour that answers nothing never resends them, and the two would wait for each other for ever.
    /// </summary>
    public async Task PullSinceAsync(int start, int windows, CancellationToken cancellation)
    {
        foreach (var neighbour in key.Neighbours(windows))
        {
            var edges = Array.Empty<EdgeMessage>();
            await GrainRetry.CallAsync(logger, key.GrainKey, $"{neighbour.GrainKey} (its edges)",
                async () => edges = await grains.GetGrain<IWindowGrain>(neighbour.GrainKey).GetEdges(key.Index, start - 1), cancellation);
            Array.ForEach(edges, mailbox.Receive);
        }
    }

    /// <summary>
    /// Waits for a neighbour's edge. A push can be lost with a silo (delivered to an activation that died before using
    /// it), so after the stall timeout the window asks for it; a neighbour that no longer has it in its log recomputes
    /// it from its checkpoint and pushes it again.
    /// </summary>
    private async Task<float[]> WaitAsync(int step, int from, CancellationToken cancellation)
    {
        var edge = mailbox.Take(step, from, cancellation);
        using var stall = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        while (await Task.WhenAny(edge, Task.Delay(stallTimeout, stall.Token)) != edge)
        {
            cancellation.ThrowIfCancellationRequested();
            logger.LogWarning("window {Window}: no edge from window {From} for step {Step} after {Timeout}; asking for it", key.GrainKey, from, step, stallTimeout);
            FarmMetrics.EdgePulls.Add(1, siloTag);
            try
            {
                Array.ForEach(await grains.GetGrain<IWindowGrain>(key.Neighbour(from - key.Index).GrainKey).GetEdges(key.Index, step - 1), mailbox.Receive);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellation.IsCancellationRequested)
            {
                logger.LogWarning("window {Window}: asking window {From} for its edges failed ({Error})", key.GrainKey, from, e.Message);
            }
        }
        await stall.CancelAsync(); // the edge came: stop its stall timer
        return await edge;
    }
}
