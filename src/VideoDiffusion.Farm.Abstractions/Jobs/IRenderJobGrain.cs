using Orleans.Concurrency;
using VideoDiffusion.Farm.Abstractions.Protocol;

namespace VideoDiffusion.Farm.Abstractions;

/// <summary>One render job: validates and plans it, starts its windows, tracks progress, finishes through the stitcher.</summary>
public interface IRenderJobGrain : IGrainWithStringKey
{
    /// <summary>Validates, plans and starts the job; returns at once (the render runs in the background).</summary>
    Task<JobStatus> Submit(RenderJobRequest request);

    Task<JobStatus> GetStatus();

    /// <summary>Stops every window (within one step) and frees the executors.</summary>
    Task Cancel();

    Task Subscribe(IJobObserver observer);

    Task Unsubscribe(IJobObserver observer);

    /// <summary>From the job's first window: its first step ran (the job has left the queue).</summary>
    Task WindowProgressed(WindowKey window, int percent);

    /// <summary>From a silo, once a progress period: how far each of the job's windows there is (percent of its steps).</summary>
    [OneWay]
    Task WindowsProgressed(WindowKey[] windows, int[] percents);

    /// <summary>From a window: its final latents are stored.</summary>
    Task WindowCompleted(WindowKey window);

    Task WindowFailed(WindowKey window, string error);

    Task StitchCompleted(JobResult result);

    Task StitchFailed(string error);
}
