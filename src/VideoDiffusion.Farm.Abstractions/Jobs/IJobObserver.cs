using Orleans.Concurrency;

namespace VideoDiffusion.Farm.Abstractions;

/// <summary>Receives job progress pushed by the job grain.</summary>
public interface IJobObserver : IGrainObserver
{
    [OneWay]
    Task OnStatus(JobStatus status);
}
