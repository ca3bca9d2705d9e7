using Microsoft.Extensions.Logging;
using VideoDiffusion.Farm.Abstractions;
using VideoDiffusion.Farm.Diffusion.Plans;
using VideoDiffusion.Farm.Grains.Placement;
using VideoDiffusion.Farm.Grains.Windows;
using VideoDiffusion.Farm.Abstractions.Protocol;

namespace VideoDiffusion.Farm.Grains.Jobs;

/// <summary>Calls many windows of one job, 64 at a time, placed for the job's model; a window that does not answer is logged, not fatal.</summary>
public static class WindowFanOut
{
    public static async Task CallAsync(IGrainFactory grains, string jobId, string model, IEnumerable<WindowRef> windows, Func<IWindowGrain, Task> call, ILogger logger)
    {
        foreach (var chunk in windows.Chunk(64))
        {
            RequestContext.Set(AcceleratorPlacement.ModelContextKey, model);
            await Task.WhenAll(chunk.Select(async w =>
            {
                try
                {
                    await call(grains.GetGrain<IWindowGrain>(WindowKeys.Of(jobId, w).GrainKey));
                }
                catch (Exception e)
                {
                    logger.LogWarning("job {Job}: window {Window} did not answer: {Error}", jobId, w, e.Message);
                }
            }));
        }
        RequestContext.Remove(AcceleratorPlacement.ModelContextKey);
    }
}
