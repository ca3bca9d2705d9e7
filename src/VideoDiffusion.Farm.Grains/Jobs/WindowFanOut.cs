using Microsoft.Extensions.Logging;
using VideoDiffusion.Farm.Abstractions;
using VideoDiffusion.Farm.Diffusion.Plans;
using VideoDiffusion.Farm.Grains.Placement;
using VideoDiffusion.Farm.Grains.Windows;
using VideoDiffusion.Farm.Abstractions.Protocol;

namespace VideoDiffusion.Farm.Grains.Jobs;

/// <summary>
/// Calls many windows of one job, 64 at a time, with what placement needs to know (the job's model and its content
/// hash, and the blocks of its pass, <see cref="PassBlocks.Describe"/>, so neighbours are placed together); a window
/// that does not answer is logged, not fatal.
/// </summary>
public static class WindowFanOut
{
    public static async Task CallAsync(IGrainFactory grains, string jobId, (string Name, string Hash) model, Func<WindowRef, string?> blocks, IEnumerable<WindowRef> windows, Func<IWindowGrain, Task> call, ILogger logger)
    {
        foreach (var chunk in windows.Chunk(64))
        {
            RequestContext.Set(AcceleratorPlacement.ModelContextKey, model.Name);
            RequestContext.Set(AcceleratorPlacement.ModelHashContextKey, model.Hash);
            await Task.WhenAll(chunk.Select(async w =>
            {
                try
                {
                    // flows with this call only, and on into the window's own calls (its loop starts within this call)
                    if (blocks(w) is { } described)
                    {
                        RequestContext.Set(AcceleratorPlacement.BlocksContextKey, described);
                    }
                    else
                    {
                        RequestContext.Remove(AcceleratorPlacement.BlocksContextKey);
                    }
                    await call(grains.GetGrain<IWindowGrain>(WindowKeys.Of(jobId, w).GrainKey));
                }
                catch (Exception e)
                {
                    logger.LogWarning("job {Job}: window {Window} did not answer: {Error}", jobId, w, e.Message);
                }
            }));
        }
        RequestContext.Remove(AcceleratorPlacement.ModelContextKey);
        RequestContext.Remove(AcceleratorPlacement.ModelHashContextKey);
        RequestContext.Remove(AcceleratorPlacement.BlocksContextKey);
    }
}
