using Orleans.Runtime;
using VideoDiffusion.Farm.Abstractions;
using VideoDiffusion.Farm.Abstractions.Protocol;

namespace VideoDiffusion.Farm.Grains.Jobs;

/// <summary>
/// What keeps a job going when nobody calls it: a timer that re-ensures its windows, its planning or its stitch, and a
/// durable reminder that reactivates the job elsewhere when its silo died.
/// </summary>
public sealed partial class RenderJobGrain
{
    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName == ExpiryReminderName)
        {
            await ExpireWhenDueAsync();
            return;
        }
        if (Finished || Job.Request is null)
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

    private void StartWatchdog() =>
        _watchdog ??= this.RegisterGrainTimer(async _ =>
        {
            if (Job.State == JobState.Running && !Job.Planned)
            {
                if (_planning is null || _planning.IsCompleted)
                {
                    _planning = PlanAsync();
                }
            }
            else if (Job.State == JobState.Running)
            {
                StartReadyWindows(all: true);
            }
            else if (Job.State == JobState.Stitching)
            {
                await StitchAsync();
            }
        }, timing.Value.WatchdogPeriod, timing.Value.WatchdogPeriod);

    private void StopWatchdog()
    {
        _watchdog?.Dispose();
        _watchdog = null;
    }
}
