using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using VideoDiffusion.Farm.Abstractions.Protocol;
using VideoDiffusion.Farm.Grains.Placement;

namespace VideoDiffusion.Farm.Grains.Jobs;

/// <summary>
/// Model identity: once planned, the job's windows and stitcher run only on silos serving its model with the content
/// hash it was planned with. While no active silo does, the job waits (the watchdog checks again every period) and
/// its status says why.
/// </summary>
public sealed partial class RenderJobGrain
{
    private string? _waiting;

    /// <summary>Whether an active silo serves the job's model hash; otherwise records why the job waits.</summary>
    private bool ModelServed()
    {
        var served = ServiceProvider.GetRequiredService<ModelServers>().AnyServes(Job.Request!.Model, Job.ModelHash);
        var waiting = served ? null : ModelServers.NotServed(Job.Request.Model, Job.ModelHash);
        if (waiting != _waiting)
        {
            _waiting = waiting;
            if (waiting is not null)
            {
                logger.LogWarning("job {Job}: {Reason}", JobId, waiting);
            }
            Notify(force: true);
        }
        return served;
    }

    /// <summary>Has the stitcher stitch, placed on a silo serving the job's model hash.</summary>
    private async Task StitchAsync()
    {
        RequestContext.Set(AcceleratorPlacement.ModelContextKey, Job.Request!.Model);
        RequestContext.Set(AcceleratorPlacement.ModelHashContextKey, Job.ModelHash);
        try
        {
            await GrainFactory.GetGrain<IStitcherGrain>(JobId).Stitch();
        }
        finally
        {
            RequestContext.Remove(AcceleratorPlacement.ModelContextKey);
            RequestContext.Remove(AcceleratorPlacement.ModelHashContextKey);
        }
    }
}
