using System.Diagnostics;
using VideoDiffusion.Farm.Abstractions;
using VideoDiffusion.Farm.Grains.Telemetry;

namespace VideoDiffusion.Farm.Grains.Jobs;

/// <summary>A job grain's telemetry: its span, its final-state measurements and its reading for the farm's gauges.</summary>
public sealed class JobTelemetry(object owner, string jobId)
{
    private Activity? _span; // from submission to the final state, on the silo that took the submission

    public void Started(RenderJobRequest request, string strategy, int frames, int windows)
    {
        _span = FarmMetrics.Activities.StartActivity("job");
        _span?.SetTag("farm.job.id", jobId).SetTag("farm.tenant", request.Tenant).SetTag("farm.model", request.Model)
            .SetTag("farm.strategy", strategy).SetTag("farm.frames", frames).SetTag("farm.windows", windows);
    }

    /// <summary>Makes grain calls made from here children of the job's span, on any silo.</summary>
    public void Enter()
    {
        if (_span is not null)
        {
            Activity.Current = _span;
        }
    }

    public static void QueueWaitEnded(string model, TimeSpan wait) =>
        FarmMetrics.JobQueueWait.Record(wait.TotalSeconds, new TagList { { "model", model } });

    /// <summary>Final-state measurements: the count per state, the duration, and for a completed job its frames and seams.</summary>
    public void Finished(JobState state, string model, TimeSpan duration, JobResult? result, string? error)
    {
        var stateName = StateName(state);
        FarmMetrics.JobsFinished.Add(1, new TagList { { "state", stateName }, { "model", model } });
        FarmMetrics.JobDuration.Record(duration.TotalSeconds, new TagList { { "state", stateName }, { "model", model } });
        if (state == JobState.Completed && result is not null)
        {
            FarmMetrics.JobFrames.Add(result.Frames, new TagList { { "model", model } });
            if (double.IsFinite(result.SeamRatio))
            {
                FarmMetrics.JobSeamRatio.Record(result.SeamRatio, new TagList { { "model", model } });
            }
        }
        _span?.SetTag("farm.job.state", stateName);
        _span?.SetStatus(state == JobState.Failed ? ActivityStatusCode.Error : ActivityStatusCode.Ok, error);
        _span?.Dispose();
        _span = null;
        FarmGauges.Unpublish(owner);
    }

    /// <summary>Publishes the job's state and share of window-steps done for the farm's gauges; none once finished.</summary>
    public void Publish(string tenant, JobState state, double progress, DateTimeOffset? startedAt, bool finished)
    {
        if (finished)
        {
            FarmGauges.Unpublish(owner);
            return;
        }
        FarmGauges.Publish(owner, new JobGauge(jobId, tenant, StateName(state), state == JobState.Stitching ? 1 : progress, startedAt));
    }

    public void Unpublish() => FarmGauges.Unpublish(owner);

    public static string StateName(JobState state) => state.ToString().ToLowerInvariant();
}
