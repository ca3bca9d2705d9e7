using System.Diagnostics;
using Microsoft.Extensions.Logging;
using VideoDiffusion.Farm.Abstractions;
using VideoDiffusion.Farm.Diffusion.Models;
using VideoDiffusion.Farm.Diffusion.Planning;
using VideoDiffusion.Farm.Diffusion.Rendering;
using VideoDiffusion.Farm.Grains.Execution;
using VideoDiffusion.Farm.Grains.Placement;
using VideoDiffusion.Farm.Grains.Storage;
using VideoDiffusion.Farm.Grains.Telemetry;
using VideoDiffusion.Farm.Requests;

namespace VideoDiffusion.Farm.Grains.Jobs;

/// <summary>
/// One render job. Plans it, starts the windows of each pass, counts completions and hands the finished latents to the
/// stitcher. It hears from each window a few times (progress quarters and completion), never per step; every call
/// returns at once. Its state is persisted, and a watchdog timer re-ensures unfinished windows run, which brings back
/// windows whose silo died. A reminder (durable, on Redis in a cluster) reactivates the job on another silo when its
/// own silo died and nobody else calls it.
/// </summary>
public sealed class RenderJobGrain(
    [PersistentState("job", FarmStorage.Name)] IPersistentState<RenderJobState> state,
    ModelCatalog catalog,
    JobArtifacts artifacts,
    ILogger<RenderJobGrain> logger) : Grain, IRenderJobGrain, IRemindable
{
    private const string ReminderName = "watchdog";

    /// <summary>How often unfinished windows are re-ensured (brings back windows lost with a silo).</summary>
    public static TimeSpan WatchdogPeriod { get; set; } = TimeSpan.FromSeconds(3);

    private readonly HashSet<IJobObserver> _observers = [];
    private IGrainTimer? _watchdog;
    private DateTime _lastNotified;
    private Activity? _span; // the job's span, from submission to its final state on the silo that took the submission
    private Dictionary<string, long> _passWindowSteps = [];

    private string JobId => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.State.State is JobState.Running or JobState.Stitching)
        {
            StartWatchdog();
            _passWindowSteps = PassWindowSteps(Spec());
        }
        PublishGauge();
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        FarmGauges.Unpublish(this);
        return Task.CompletedTask;
    }

    public async Task<JobStatus> Submit(RenderJobRequest request)
    {
        state.State.Calls++;
        if (state.State.Request is not null)
        {
            return Status(); // the same job id submitted again: the job already exists
        }
        var manifest = Validate(request, out var spec);
        state.State.Request = request;
        state.State.SubmittedAt = DateTimeOffset.UtcNow;
        state.State.Steps = spec.Steps;
        state.State.Frames = spec.PixelFrames;
        state.State.Fps = spec.Fps;
        state.State.FirstFrame = spec.FirstFramePass;
        state.State.State = JobState.Running;
        _passWindowSteps = PassWindowSteps(spec);
        _span = FarmMetrics.Activities.StartActivity("job");
        _span?.SetTag("farm.job.id", JobId).SetTag("farm.tenant", request.Tenant).SetTag("farm.model", request.Model)
            .SetTag("farm.strategy", spec.Strategy.ToString()).SetTag("farm.frames", spec.PixelFrames).SetTag("farm.windows", spec.Plan.Windows.Count);
        await artifacts.SaveRequestAsync(JobId, request);
        await BeginPassAsync(PassLayout.First(spec), spec);
        StartWatchdog();
        await this.RegisterOrUpdateReminder(ReminderName, ReminderPeriod, ReminderPeriod);
        logger.LogInformation("job {Job}: {Frames} latent frames, {Windows} windows, {Strategy}, model {Model}",
            JobId, spec.LatentFrames, spec.Plan.Windows.Count, spec.Strategy, manifest.Name);
        PublishGauge();
        return Status();
    }

    /// <summary>How often the durable reminder wakes the job (Orleans' minimum is one minute).</summary>
    public static TimeSpan ReminderPeriod { get; set; } = TimeSpan.FromMinutes(1);

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (Finished || state.State.Request is null)
        {
            await ForgetReminderAsync();
            return;
        }
        StartWatchdog(); // activation already did; the reminder's job is to cause that activation
    }

    private async Task ForgetReminderAsync()
    {
        if (await this.GetReminder(ReminderName) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    public Task<JobStatus> GetStatus()
    {
        state.State.Calls++;
        return Task.FromResult(Status());
    }

    public async Task Cancel()
    {
        state.State.Calls++;
        if (state.State.Request is null || Finished)
        {
            return;
        }
        state.State.State = JobState.Cancelled;
        state.State.FinishedAt = DateTimeOffset.UtcNow;
        await state.WriteStateAsync();
        RecordFinished();
        StopWatchdog();
        await ForgetReminderAsync();
        await ForEachWindowAsync(w => w.Cancel(), onlyUnfinished: false);
        Notify(force: true);
    }

    public Task Subscribe(IJobObserver observer)
    {
        _observers.Add(observer);
        return Task.CompletedTask;
    }

    public Task Unsubscribe(IJobObserver observer)
    {
        _observers.Remove(observer);
        return Task.CompletedTask;
    }

    public Task WindowProgressed(WindowKey window, int percent)
    {
        state.State.Calls++;
        if (state.State.StartedAt is null && state.State.State == JobState.Running)
        {
            // the first window of the first pass reports its first step (percent 0): the job has left the queue
            state.State.StartedAt = DateTimeOffset.UtcNow;
            FarmMetrics.JobQueueWait.Record((state.State.StartedAt.Value - state.State.SubmittedAt).TotalSeconds, new TagList { { "model", state.State.Request!.Model } });
        }
        if (window.Pass == state.State.Pass && window.Index < state.State.Progress.Length)
        {
            state.State.Progress[window.Index] = (byte)Math.Max(state.State.Progress[window.Index], Math.Clamp(percent, 0, 100));
            Notify(force: false);
        }
        return Task.CompletedTask;
    }

    public async Task WindowCompleted(WindowKey window)
    {
        state.State.Calls++;
        if (state.State.State != JobState.Running || window.Pass != state.State.Pass || window.Index >= state.State.Done.Length || state.State.Done[window.Index])
        {
            return;
        }
        state.State.Done[window.Index] = true;
        state.State.Progress[window.Index] = 100;
        if (state.State.Done.All(d => d))
        {
            var spec = Spec();
            if (state.State.Pass == PassLayout.Keyframe)
            {
                state.State.PassesDone.Add(state.State.Pass);
                await BeginPassAsync(PassLayout.Main, spec);
            }
            else
            {
                state.State.State = JobState.Stitching;
                await state.WriteStateAsync();
                await GrainFactory.GetGrain<IStitcherGrain>(JobId).Stitch();
            }
        }
        else
        {
            await state.WriteStateAsync();
        }
        Notify(force: false);
    }

    public async Task WindowFailed(WindowKey window, string error)
    {
        state.State.Calls++;
        await FailAsync($"window {window.Pass}/{window.Index}: {error}");
    }

    public async Task StitchCompleted(JobResult result)
    {
        state.State.Calls++;
        if (state.State.State != JobState.Stitching)
        {
            return;
        }
        state.State.State = JobState.Completed;
        state.State.Result = result;
        state.State.FinishedAt = DateTimeOffset.UtcNow;
        await state.WriteStateAsync();
        RecordFinished();
        StopWatchdog();
        await ForgetReminderAsync();
        Notify(force: true);
        logger.LogInformation("job {Job} completed: {Location}", JobId, result.Location);
    }

    public async Task StitchFailed(string error)
    {
        state.State.Calls++;
        await FailAsync("stitch: " + error);
    }

    private bool Finished => state.State.State is JobState.Completed or JobState.Failed or JobState.Cancelled;

    private ModelManifest Validate(RenderJobRequest request, out RenderJobSpec spec)
    {
        ModelManifest manifest;
        try
        {
            manifest = catalog.Manifest(request.Model);
        }
        catch (ModelLoadException e)
        {
            throw new JobRejectedException("model", $"unknown or unusable model '{request.Model}': {e.Message}");
        }
        if (!VideoFormats.All.Contains(request.Format))
        {
            throw new JobRejectedException("format", $"format must be one of {string.Join(", ", VideoFormats.All)} (got '{request.Format}')");
        }
        if (request.Scale is < 1 or > RequestLimits.MaxScale)
        {
            throw new JobRejectedException("scale", $"scale must be between 1 and {RequestLimits.MaxScale} (got {request.Scale})");
        }
        try
        {
            spec = RenderJobSpec.Resolve(JobRequestMapper.ToRenderRequest(request), manifest);
        }
        catch (PlanException e)
        {
            throw new JobRejectedException(e.Field, e.Message);
        }
        return manifest;
    }

    private RenderJobSpec Spec() =>
        RenderJobSpec.Resolve(JobRequestMapper.ToRenderRequest(state.State.Request!), catalog.Manifest(state.State.Request!.Model));

    private async Task BeginPassAsync(string pass, RenderJobSpec spec)
    {
        var windows = PassLayout.For(spec, pass).Plan.Windows.Count;
        state.State.Pass = pass;
        state.State.Done = new bool[windows];
        state.State.Progress = new byte[windows];
        await state.WriteStateAsync();
        // started in the background so this call returns at once, even for a thousand windows
        _ = ForEachWindowAsync(w => w.EnsureRunning(), onlyUnfinished: true);
    }

    private async Task ForEachWindowAsync(Func<IWindowGrain, Task> call, bool onlyUnfinished)
    {
        if (_span is not null)
        {
            Activity.Current = _span; // window passes started from here are children of the job's span, on any silo
        }
        var pass = state.State.Pass;
        var targets = Enumerable.Range(0, state.State.Done.Length).Where(i => !onlyUnfinished || !state.State.Done[i]).ToList();
        foreach (var chunk in targets.Chunk(64))
        {
            RequestContext.Set(AcceleratorPlacement.ModelContextKey, state.State.Request!.Model);
            await Task.WhenAll(chunk.Select(async i =>
            {
                try
                {
                    await call(GrainFactory.GetGrain<IWindowGrain>(new WindowKey(JobId, pass, i).GrainKey));
                }
                catch (Exception e)
                {
                    logger.LogWarning("job {Job}: window {Pass}/{Index} did not answer: {Error}", JobId, pass, i, e.Message);
                }
            }));
        }
        RequestContext.Remove(AcceleratorPlacement.ModelContextKey);
    }

    private async Task FailAsync(string error)
    {
        if (Finished)
        {
            return;
        }
        logger.LogError("job {Job} failed: {Error}", JobId, error);
        state.State.State = JobState.Failed;
        state.State.Error = error;
        state.State.FinishedAt = DateTimeOffset.UtcNow;
        await state.WriteStateAsync();
        RecordFinished();
        StopWatchdog();
        await ForgetReminderAsync();
        _ = ForEachWindowAsync(w => w.Cancel(), onlyUnfinished: false);
        Notify(force: true);
    }

    /// <summary>Final-state measurements: the count per state, the duration, and for a completed job its frames and seams.</summary>
    private void RecordFinished()
    {
        var stateName = StateName(state.State.State);
        var model = state.State.Request?.Model ?? "";
        FarmMetrics.JobsFinished.Add(1, new TagList { { "state", stateName }, { "model", model } });
        FarmMetrics.JobDuration.Record(((state.State.FinishedAt ?? DateTimeOffset.UtcNow) - state.State.SubmittedAt).TotalSeconds,
            new TagList { { "state", stateName }, { "model", model } });
        if (state.State is { State: JobState.Completed, Result: { } result })
        {
            FarmMetrics.JobFrames.Add(result.Frames, new TagList { { "model", model } });
            if (double.IsFinite(result.SeamRatio))
            {
                FarmMetrics.JobSeamRatio.Record(result.SeamRatio, new TagList { { "model", model } });
            }
        }
        _span?.SetTag("farm.job.state", stateName);
        _span?.SetStatus(state.State.State == JobState.Failed ? ActivityStatusCode.Error : ActivityStatusCode.Ok, state.State.Error);
        _span?.Dispose();
        _span = null;
        FarmGauges.Unpublish(this);
    }

    private static string StateName(JobState state) => state.ToString().ToLowerInvariant();

    /// <summary>Window-steps of each pass of the job (first-frame steps are too few to count).</summary>
    private static Dictionary<string, long> PassWindowSteps(RenderJobSpec spec)
    {
        var passes = spec.KeyframePass ? new[] { PassLayout.Keyframe, PassLayout.Main } : [PassLayout.Main];
        return passes.ToDictionary(p => p, p => (long)PassLayout.For(spec, p).Plan.Windows.Count * spec.Steps);
    }

    /// <summary>Publishes the job's reading for the farm's gauges (state, share of window-steps done); none once finished.</summary>
    private void PublishGauge()
    {
        var job = state.State;
        if (job.Request is null || Finished)
        {
            FarmGauges.Unpublish(this);
            return;
        }
        var total = _passWindowSteps.Values.Sum();
        var done = _passWindowSteps.Where(p => job.PassesDone.Contains(p.Key)).Sum(p => p.Value)
                   + (_passWindowSteps.TryGetValue(job.Pass, out var current) && job.Progress.Length > 0
                       ? (long)(current * job.Progress.Sum(p => (double)p) / (100.0 * job.Progress.Length))
                       : 0);
        var progress = job.State == JobState.Stitching ? 1 : total == 0 ? 0 : Math.Clamp(done / (double)total, 0, 1);
        FarmGauges.Publish(this, new JobGauge(JobId, job.Request.Tenant, StateName(job.State), progress, job.StartedAt));
    }

    private void StartWatchdog() =>
        _watchdog ??= this.RegisterGrainTimer(async _ =>
        {
            if (state.State.State == JobState.Running)
            {
                await ForEachWindowAsync(w => w.EnsureRunning(), onlyUnfinished: true);
            }
            else if (state.State.State == JobState.Stitching)
            {
                await GrainFactory.GetGrain<IStitcherGrain>(JobId).Stitch();
            }
        }, WatchdogPeriod, WatchdogPeriod);

    private void StopWatchdog()
    {
        _watchdog?.Dispose();
        _watchdog = null;
    }

    private void Notify(bool force)
    {
        PublishGauge();
        if (_observers.Count == 0 || (!force && DateTime.UtcNow - _lastNotified < TimeSpan.FromMilliseconds(200)))
        {
            return;
        }
        _lastNotified = DateTime.UtcNow;
        var status = Status();
        foreach (var observer in _observers)
        {
            observer.OnStatus(status);
        }
    }

    private JobStatus Status() => new()
    {
        JobId = JobId,
        State = state.State.Request is null ? JobState.Queued : state.State.State,
        Phase = state.State.Pass,
        WindowsTotal = state.State.Done.Length,
        WindowsDone = state.State.Done.Count(d => d),
        WindowProgress = state.State.Progress,
        Steps = state.State.Steps,
        Error = state.State.Error,
        Result = state.State.Result,
        SubmittedAt = state.State.SubmittedAt,
        FinishedAt = state.State.FinishedAt,
        JobGrainCalls = state.State.Calls,
        Exists = state.State.Request is not null,
        Tenant = state.State.Request?.Tenant ?? "",
        Prompt = state.State.Request is { } r ? r.Prompt ?? string.Join(" | ", r.Storyboard?.Select(s => s.Prompt) ?? []) : "",
        Frames = state.State.Frames,
        Fps = state.State.Fps,
        FirstFrame = state.State.FirstFrame,
        Format = state.State.Request?.Format ?? "mp4",
        HostSilo = RuntimeIdentity,
    };
}
