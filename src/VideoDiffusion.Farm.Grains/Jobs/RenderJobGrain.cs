using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using VideoDiffusion.Farm.Abstractions;
using VideoDiffusion.Farm.Diffusion.Plans;
using VideoDiffusion.Farm.Grains.Execution;
using VideoDiffusion.Farm.Grains.Hosting;
using VideoDiffusion.Farm.Grains.Placement;
using VideoDiffusion.Farm.Grains.Storage;
using VideoDiffusion.Farm.Grains.Telemetry;
using VideoDiffusion.Farm.Grains.Windows;
using VideoDiffusion.Farm.Abstractions.Protocol;

namespace VideoDiffusion.Farm.Grains.Jobs;

/// <summary>
/// One render job: validates it, has it planned once, runs the plan's windows as tasks (<see cref="JobTasks"/>) and
/// hands the finished latents to the stitcher. Windows report a few times each, never per step; every call returns at
/// once. Its state is persisted; a watchdog timer re-ensures unfinished windows run (bringing back windows whose silo
/// died), and a durable reminder reactivates the job elsewhere when its own silo died and nobody else calls it.
/// A finished job keeps a second reminder that deletes its artifacts and record when its lifetime
/// (<see cref="RetentionOptions"/>) is over.
/// </summary>
public sealed partial class RenderJobGrain(
    [PersistentState("job", FarmStorage.Name)] IPersistentState<RenderJobState> state,
    ModelCatalog catalog,
    JobPlans plans,
    JobArtifacts artifacts,
    IOptions<FarmTimingOptions> timing,
    IOptions<AcceleratorOptions> accelerator,
    IOptions<RetentionOptions> retention,
    ILogger<RenderJobGrain> logger) : Grain, IRenderJobGrain, IRemindable
{
    private const string ReminderName = "watchdog";
    private const string ExpiryReminderName = "expiry";

    /// <summary>Longest wait of one expiry reminder: it re-arms itself until the job's lifetime is over.</summary>
    private static readonly TimeSpan ExpiryCheckPeriod = TimeSpan.FromDays(1);
    private readonly JobObservers _observers = new();
    private IGrainTimer? _watchdog;
    private JobTelemetry _telemetry = null!;
    private JobTasks? _tasks;
    private Task? _planning;
    private readonly HashSet<WindowRef> _started = [];

    private string JobId => this.GetPrimaryKeyString();
    private RenderJobState Job => state.State;
    private bool Finished => Job.State is JobState.Completed or JobState.Failed or JobState.Cancelled;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _telemetry = new JobTelemetry(this, JobId);
        if (Job.State is JobState.Running or JobState.Stitching)
        {
            _tasks = Job.Planned ? new JobTasks((await plans.GetAsync(JobId, cancellationToken)).Plan, Job.Done, Job.Progress) : null;
            StartWatchdog();
        }
        Publish();
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _telemetry.Unpublish();
        return Task.CompletedTask;
    }

    public async Task<JobStatus> Submit(RenderJobRequest request)
    {
        Called();
        if (Job.Request is not null)
        {
            return Status(); // the same job id submitted again: the job already exists
        }
        var spec = JobSpecs.Resolve(request, catalog);
        (Job.Request, Job.SubmittedAt, Job.State) = (request, DateTimeOffset.UtcNow, JobState.Running);
        (Job.Steps, Job.Frames, Job.Fps, Job.FirstFrame) = (spec.Steps, spec.PixelFrames, spec.Fps, spec.FirstFramePass);
        await state.WriteStateAsync();
        _telemetry.Started(request, spec.Strategy.ToString(), spec.PixelFrames, spec.Plan.Windows.Count);
        _planning = PlanAsync();
        StartWatchdog();
        await this.RegisterOrUpdateReminder(ReminderName, timing.Value.ReminderPeriod, timing.Value.ReminderPeriod);
        logger.LogInformation("job {Job}: {Frames} latent frames, {Windows} windows, {Strategy}, model {Model}",
            JobId, spec.LatentFrames, spec.Plan.Windows.Count, spec.Strategy, request.Model);
        Publish();
        return Status();
    }

    public Task<JobStatus> GetStatus()
    {
        Called();
        return Task.FromResult(Status());
    }

    public async Task Cancel()
    {
        Called();
        if (Job.Request is null || Finished)
        {
            return;
        }
        var stitching = Job.State == JobState.Stitching;
        await FinishAsync(JobState.Cancelled, null);
        // in the background, so the answer does not wait for a thousand windows or for a window on a lost silo; the
        // stored marker (see FinishAsync) stops any window that misses this call when it next starts
        _ = StopWindowsAsync();
        if (stitching)
        {
            _ = GrainFactory.GetGrain<IStitcherGrain>(JobId).Cancel();
        }
    }

    public Task Subscribe(IJobObserver observer) => _observers.Add(observer);

    public Task Unsubscribe(IJobObserver observer) => _observers.Remove(observer);

    public Task WindowProgressed(WindowKey window, int percent)
    {
        Called();
        if (Job.StartedAt is null && Job.State == JobState.Running)
        {
            // the job's first window-step ran: the job has left the queue
            Job.StartedAt = DateTimeOffset.UtcNow;
            JobTelemetry.QueueWaitEnded(Job.Request!.Model, Job.StartedAt.Value - Job.SubmittedAt);
        }
        return Progressed([window], [percent]);
    }

    public Task WindowsProgressed(WindowKey[] windows, int[] percents)
    {
        Called();
        return Progressed(windows, percents);
    }

    private Task Progressed(WindowKey[] windows, int[] percents)
    {
        var changed = false;
        for (var w = 0; w < Math.Min(windows.Length, percents.Length); w++)
        {
            if (_tasks?.IndexOf(windows[w].Ref()) is { } i and >= 0)
            {
                Job.Progress[i] = (byte)Math.Max(Job.Progress[i], Math.Clamp(percents[w], 0, 100));
                changed = true;
            }
        }
        if (changed)
        {
            Notify(force: false);
        }
        return Task.CompletedTask;
    }

    public async Task WindowCompleted(WindowKey window)
    {
        Called();
        if (Job.State != JobState.Running || _tasks is null || _tasks.IndexOf(window.Ref()) is not (>= 0 and var i) || Job.Done[i])
        {
            return;
        }
        Job.Done[i] = true;
        Job.Progress[i] = 100;
        if (_tasks.AllDone)
        {
            Job.State = JobState.Stitching;
            Job.DenoisedAt = DateTimeOffset.UtcNow;
            await state.WriteStateAsync();
            await StitchAsync();
        }
        else
        {
            await state.WriteStateAsync();
            StartReadyWindows();
        }
        Notify(force: false);
    }

    public async Task WindowFailed(WindowKey window, string error)
    {
        Called();
        await FailAsync($"window {window.Pass}/{window.Index}: {error}");
    }

    public async Task StitchCompleted(JobResult result)
    {
        Called();
        if (Job.State != JobState.Stitching)
        {
            if (Job.State is JobState.Cancelled or JobState.Failed)
            {
                // the stitcher stored the video before it heard of the cancel: a cancelled job keeps no video
                await artifacts.Store.DeleteAsync(JobArtifacts.VideoKey(JobId, Job.Request!.Format));
            }
            return;
        }
        Job.Result = result;
        await FinishAsync(JobState.Completed, null);
        logger.LogInformation("job {Job} completed: {Location}", JobId, result.Location);
        _ = DeleteWindowLatentsAsync(finals: false);
    }

    public async Task StitchFailed(string error)
    {
        Called();
        await FailAsync("stitch: " + error);
    }

    /// <summary>Has the plan made (once; again after a lost silo), then starts the windows that are ready.</summary>
    private async Task PlanAsync()
    {
        try
        {
            RequestContext.Set(AcceleratorPlacement.ModelContextKey, Job.Request!.Model);
            await GrainFactory.GetGrain<IJobPlannerGrain>(JobId).Plan(Job.Request);
            RequestContext.Remove(AcceleratorPlacement.ModelContextKey);
            var planned = await plans.GetAsync(JobId);
            var plan = planned.Plan;
            if (Finished)
            {
                return;
            }
            (Job.Done, Job.Progress, Job.Planned) = (new bool[plan.Windows.Count()], new byte[plan.Windows.Count()], true);
            Job.ModelHash = planned.ModelHash;
            await state.WriteStateAsync();
            _tasks = new JobTasks(plan, Job.Done, Job.Progress);
            StartReadyWindows();
            Notify(force: false);
        }
        catch (Exception e) when (e is JobRejectedException or InvalidOperationException)
        {
            await FailAsync("plan: " + e.Message);
        }
        catch (Exception e)
        {
            logger.LogWarning("job {Job}: planning did not finish ({Error}); the watchdog tries again", JobId, e.Message);
        }
    }

    /// <summary>Ensures the ready windows run: those not started by this activation, or (the watchdog) all of them.</summary>
    private void StartReadyWindows(bool all = false)
    {
        if (_tasks is { } tasks && ModelServed())
        {
            // in the background, so the calling request returns at once, even for a thousand windows
            _ = ForEachWindowAsync(tasks.Ready().Where(w => _started.Add(w) || all).ToList(), w => w.EnsureRunning());
        }
    }

    private Task ForEachWindowAsync(IEnumerable<WindowRef> windows, Func<IWindowGrain, Task> call)
    {
        _telemetry.Enter();
        var plan = _tasks?.Plan;
        return WindowFanOut.CallAsync(GrainFactory, JobId, (Job.Request!.Model, Job.ModelHash),
            w => plan is null ? null : PassBlocks.Of(plan.Passes, w.Pass), windows, call, logger);
    }

    private async Task FailAsync(string error)
    {
        if (Finished || Job.Request is null)
        {
            return;
        }
        logger.LogError("job {Job} failed: {Error}", JobId, error);
        await FinishAsync(JobState.Failed, error);
        _ = StopWindowsAsync();
    }

    private async Task FinishAsync(JobState final, string? error)
    {
        (Job.State, Job.Error, Job.FinishedAt) = (final, error, DateTimeOffset.UtcNow);
        await state.WriteStateAsync();
        if (final is JobState.Cancelled or JobState.Failed)
        {
            try
            {
                await artifacts.MarkStoppedAsync(JobId, final);
            }
            catch (Exception e)
            {
                // the windows still hear the cancel; only a window re-activated later would miss it
                logger.LogWarning("job {Job}: the stop marker was not stored ({Error})", JobId, e.Message);
            }
        }
        _telemetry.Finished(final, Job.Request?.Model ?? "", Job.FinishedAt.Value - Job.SubmittedAt, Job.Result, error);
        StopWatchdog();
        // reminders live in the reminder service of the silo that owns this grain's hash range, which may be a silo just
        // lost and not yet declared dead: the answer (a cancel, the last window's report) does not wait for it
        _ = SettleRemindersAsync();
        Notify(force: true);
    }

    /// <summary>Tells every window to stop, then deletes their latents (a window finishing a checkpoint write in flight may leave one; the expiry deletes it).</summary>
    private async Task StopWindowsAsync()
    {
        await ForEachWindowAsync(_tasks?.Windows ?? [], w => w.Cancel());
        await DeleteWindowLatentsAsync(finals: true);
    }

    private void Called() => FarmMetrics.JobGrainCalls.Add(1);
}
