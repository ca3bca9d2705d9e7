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

/// <summary>What a job leaves behind and for how long: latents nobody reads again, and the whole job once its lifetime is over.</summary>
public sealed partial class RenderJobGrain
{
    /// <summary>In the background: latents nobody reads again (see <see cref="JobArtifacts.DeleteWindowLatentsAsync"/>).</summary>
    private async Task DeleteWindowLatentsAsync(bool finals)
    {
        try
        {
            await artifacts.DeleteWindowLatentsAsync(JobId, finals);
        }
        catch (Exception e)
        {
            logger.LogWarning("job {Job}: window latents not deleted ({Error}); the expiry deletes them", JobId, e.Message);
        }
    }

    /// <summary>The least time ahead the expiry reminder is armed for.</summary>
    private static readonly TimeSpan ExpiryLead = TimeSpan.FromSeconds(5);

    private TimeSpan Lifetime => retention.Value.LifetimeOf(Job.State);

    /// <summary>
    /// Arms the expiry reminder for the rest of the finished job's lifetime (at most a day at a time), never sooner than
    /// <see cref="ExpiryLead"/>: Orleans skips a reminder's first tick when its time has passed by the time the reminder
    /// service schedules it, and the next tick would come a day later.
    /// </summary>
    private async Task ScheduleExpiryAsync()
    {
        if (Lifetime > TimeSpan.Zero && Job.FinishedAt is { } finished)
        {
            var due = finished + Lifetime - DateTimeOffset.UtcNow;
            var wait = due < ExpiryLead ? ExpiryLead : due > ExpiryCheckPeriod ? ExpiryCheckPeriod : due;
            await this.RegisterOrUpdateReminder(ExpiryReminderName, wait, ExpiryCheckPeriod);
        }
    }

    /// <summary>Once the lifetime is over: deletes the job's artifacts, leaves the tenant's list and clears the job's state.</summary>
    private async Task ExpireWhenDueAsync()
    {
        if (Job.Request is { } request && Finished && Lifetime > TimeSpan.Zero)
        {
            // a tick within the lead of the end of the lifetime expires the job rather than arming a reminder that soon
            if (Job.FinishedAt + Lifetime > DateTimeOffset.UtcNow + ExpiryLead)
            {
                await ScheduleExpiryAsync();
                return;
            }
            await artifacts.DeleteJobAsync(JobId);
            await GrainFactory.GetGrain<ITenantGrain>(request.Tenant).Forget(JobId);
            await state.ClearStateAsync();
            logger.LogInformation("job {Job} expired: its artifacts and record are deleted", JobId);
            _telemetry.Unpublish();
        }
        if (await this.GetReminder(ExpiryReminderName) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
        DeactivateOnIdle();
    }

    /// <summary>Drops the watchdog's reminder and sets the expiry's, retrying for about a minute while the reminder service cannot be reached.</summary>
    private async Task SettleRemindersAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await ForgetReminderAsync();
                await ScheduleExpiryAsync();
                return;
            }
            catch (Exception e) when (attempt < 6)
            {
                logger.LogWarning("job {Job}: its reminders were not updated ({Error}); retrying", JobId, e.Message);
                await Task.Delay(TimeSpan.FromSeconds(10));
            }
            catch (Exception e)
            {
                logger.LogError("job {Job}: its expiry was not scheduled ({Error}); its record and artifacts stay until deleted", JobId, e.Message);
                return;
            }
        }
    }
}
