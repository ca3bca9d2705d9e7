using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using VideoDiffusion.Farm.Grains.Execution;

namespace VideoDiffusion.Farm.Grains.Telemetry;

/// <summary>
/// What the farm's observable gauges read: the denoise executors and the job grains alive in this process (one silo
/// in a silo process, several in the embedded farm), each tagged with its silo.
/// </summary>
public static class FarmGauges
{
    /// <summary>Span the utilisation gauge averages over.</summary>
    public static readonly TimeSpan UtilisationSpan = TimeSpan.FromSeconds(10);

    private static readonly ConcurrentDictionary<DenoiseExecutor, byte> Executors = new();
    private static readonly ConcurrentDictionary<object, JobGauge> Jobs_ = new();

    public static void Register(DenoiseExecutor executor) => Executors[executor] = 0;

    public static void Unregister(DenoiseExecutor executor) => Executors.TryRemove(executor, out _);

    /// <summary>
    /// A job grain's latest reading. Grain state may only be read on the grain's own turns, so the grain publishes a
    /// snapshot whenever it changes and the gauges read the snapshots.
    /// </summary>
    public static void Publish(object job, JobGauge reading) => Jobs_[job] = reading;

    public static void Unpublish(object job) => Jobs_.TryRemove(job, out _);

    internal static IEnumerable<Measurement<double>> Utilisation() =>
        Executors.Keys.SelectMany(e => e.Usage.Select(u => new Measurement<double>(u.Utilisation(UtilisationSpan),
            new KeyValuePair<string, object?>("silo", e.Silo), new KeyValuePair<string, object?>("slot", u.Slot.ToString(System.Globalization.CultureInfo.InvariantCulture)))));

    internal static IEnumerable<Measurement<int>> Slots() =>
        Executors.Keys.Select(e => new Measurement<int>(e.Slots, new KeyValuePair<string, object?>("silo", e.Silo)));

    internal static IEnumerable<Measurement<int>> Queued() =>
        Executors.Keys.Select(e => new Measurement<int>(e.QueuedWindowSteps, new KeyValuePair<string, object?>("silo", e.Silo)));

    internal static IEnumerable<Measurement<int>> Jobs()
    {
        var jobs = ReadJobs();
        return new[] { "queued", "running", "stitching" }.Select(state =>
            new Measurement<int>(jobs.Count(j => j.State == state), new KeyValuePair<string, object?>("state", state)));
    }

    internal static IEnumerable<Measurement<double>> JobProgress() =>
        ReadJobs().Where(j => j.State == "running").Select(j => new Measurement<double>(j.Progress, JobTags(j)));

    internal static IEnumerable<Measurement<double>> JobEta() =>
        ReadJobs().Where(j => j is { State: "running", StartedAt: not null, Progress: > 0 }).Select(j =>
            new Measurement<double>((DateTimeOffset.UtcNow - j.StartedAt!.Value).TotalSeconds * (1 - j.Progress) / j.Progress, JobTags(j)));

    private static List<JobGauge> ReadJobs() => Jobs_.Values.ToList();

    private static KeyValuePair<string, object?>[] JobTags(JobGauge job) =>
        [new("job_id", job.JobId), new("tenant", job.Tenant)];
}

/// <summary>A job grain's reading for the gauges: state, share of window-steps done, when its first window-step ran.</summary>
public readonly record struct JobGauge(string JobId, string Tenant, string State, double Progress, DateTimeOffset? StartedAt);
