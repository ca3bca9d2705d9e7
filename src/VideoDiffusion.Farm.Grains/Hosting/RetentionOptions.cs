namespace VideoDiffusion.Farm.Grains.Hosting;

/// <summary>How long finished jobs are kept (<c>Farm:Retention</c>); a zero or negative lifetime keeps them for ever.</summary>
public sealed class RetentionOptions
{
    public const string Section = "Farm:Retention";

    /// <summary>How long a completed job's record and video are kept after it finished.</summary>
    public TimeSpan CompletedJobLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How long a failed or cancelled job's record is kept after it finished (its latents are deleted at once).</summary>
    public TimeSpan StoppedJobLifetime { get; set; } = TimeSpan.FromDays(7);

    /// <summary>The lifetime that applies to a job that ended in <paramref name="state"/>.</summary>
    public TimeSpan LifetimeOf(Abstractions.JobState state) =>
        state == Abstractions.JobState.Completed ? CompletedJobLifetime : StoppedJobLifetime;
}
