namespace VideoDiffusion.Farm.Grains.Hosting;

/// <summary>How often the farm looks after its jobs and windows (<c>Farm:Timing</c>).</summary>
public sealed class FarmTimingOptions
{
    public const string Section = "Farm:Timing";

    /// <summary>How often a running job re-ensures its unfinished windows run (brings back windows lost with a silo).</summary>
    public TimeSpan WatchdogPeriod { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>How often the durable reminder wakes a job whose silo died (Orleans' minimum is one minute).</summary>
    public TimeSpan ReminderPeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a window waits for a neighbour's pushed edge before it asks the neighbour for it.</summary>
    public TimeSpan EdgeStallTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often a silo compares its running windows with the farm's and sends its surplus to emptier silos; zero: never.</summary>
    public TimeSpan BalancePeriod { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How often each silo tells each job how far its windows there are, in one call for all of them
    /// (<c>JobProgressReports</c>): the job's progress is at most this far behind its windows.
    /// </summary>
    public TimeSpan ProgressReportPeriod { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a stopping silo spends handing its running windows over before it lets them go (they then resume from checkpoints).</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(25);

    /// <summary>
    /// How often each silo sends its CPU and activation counts to every other silo (Orleans' deployment load publisher,
    /// which places the grains that need no accelerator). Orleans sends them every second, silos × (silos − 1) messages
    /// a second: 4,032 at 64 silos, more than the windows' own traffic. The farm's placement reads its own 2-second
    /// reports, one message per silo, so this view may be older.
    /// </summary>
    public TimeSpan LoadPublishPeriod { get; set; } = TimeSpan.FromSeconds(30);
}
