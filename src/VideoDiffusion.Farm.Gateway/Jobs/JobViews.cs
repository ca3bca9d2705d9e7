using VideoDiffusion.Farm.Abstractions;
using VideoDiffusion.Farm.Abstractions.Api;

namespace VideoDiffusion.Farm.Gateway.Jobs;

/// <summary>Turns the cluster's job status into the API's view: lower-case state, overall progress, an ETA.</summary>
public static class JobViews
{
    public static JobView From(JobStatus s, DateTimeOffset now)
    {
        var progress = Progress(s);
        double? eta = null;
        if (s.State is JobState.Running or JobState.Stitching && progress > 0.02)
        {
            // linear from the rate so far: good enough for a progress bar, and honest about being an estimate
            var elapsed = (now - s.SubmittedAt).TotalSeconds;
            eta = Math.Round(elapsed * (1 - progress) / progress, 1);
        }
        return new JobView
        {
            Id = s.JobId,
            Tenant = s.Tenant,
            State = s.State.ToString().ToLowerInvariant(),
            Phase = s.Phase,
            Prompt = s.Prompt,
            Frames = s.Frames,
            Fps = s.Fps,
            Steps = s.Steps,
            FirstFrame = s.FirstFrame,
            Simulated = s.Simulated,
            ModelHash = s.ModelHash,
            Waiting = s.Waiting,
            WindowsTotal = s.WindowsTotal,
            WindowsDone = s.WindowsDone,
            WindowProgress = s.WindowProgress.Select(p => (int)p).ToList(),
            Progress = Math.Round(progress, 4),
            EtaSeconds = s.IsFinished ? 0 : eta,
            SubmittedAt = s.SubmittedAt,
            FinishedAt = s.FinishedAt,
            Error = s.Error,
            Video = s.State == JobState.Completed ? $"/v1/jobs/{s.JobId}/video" : null,
            Format = s.Format,
        };
    }

    /// <summary>The share of the job's window-steps done (over every pass, so it never goes back); the stitch counts as the last 5 %.</summary>
    private static double Progress(JobStatus s) => s.State switch
    {
        JobState.Completed => 1.0,
        JobState.Stitching => 0.95,
        _ => 0.95 * s.Progress,
    };
}
