using VideoDiffusion.Farm.Abstractions;
using VideoDiffusion.Farm.Grains.Execution;

namespace VideoDiffusion.Farm.Grains.Jobs;

/// <summary>The job's status as clients see it, and how it reaches them (telemetry gauges, observers).</summary>
public sealed partial class RenderJobGrain
{
    private void Publish() =>
        _telemetry.Publish(Job.Request?.Tenant ?? "", Job.State, _tasks?.Fraction ?? 0, Job.StartedAt, Job.Request is null || Finished);

    private void Notify(bool force)
    {
        Publish();
        _observers.Notify(Status, force);
    }

    private JobStatus Status()
    {
        var pass = _tasks?.CurrentPass ?? "plan";
        var progress = _tasks?.PassProgress(pass) ?? [];
        var request = Job.Request;
        return new JobStatus
        {
            JobId = JobId, State = request is null ? JobState.Queued : Job.State, Phase = pass, Exists = request is not null,
            WindowsTotal = progress.Length, WindowsDone = progress.Count(p => p == 100), WindowProgress = progress,
            Progress = Job.State is JobState.Stitching or JobState.Completed ? 1 : _tasks?.Fraction ?? 0,
            Steps = Job.Steps, Frames = Job.Frames, Fps = Job.Fps, FirstFrame = Job.FirstFrame,
            Error = Job.Error, Result = Job.Result, SubmittedAt = Job.SubmittedAt, FinishedAt = Job.FinishedAt,
            Tenant = request?.Tenant ?? "", Format = request?.Format ?? "mp4", HostSilo = RuntimeIdentity,
            StartedAt = Job.StartedAt, DenoisedAt = Job.DenoisedAt, Simulated = SimulatedAccelerator.IsSelected(accelerator.Value.ExecutionProvider),
            ModelHash = Job.ModelHash, Waiting = Finished ? null : _waiting,
            Prompt = request is null ? "" : request.Prompt ?? string.Join(" | ", request.Storyboard?.Select(s => s.Prompt) ?? []),
        };
    }
}
