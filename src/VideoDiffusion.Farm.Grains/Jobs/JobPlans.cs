using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using VideoDiffusion.Farm.Artifacts;
using VideoDiffusion.Farm.Grains.Storage;

namespace VideoDiffusion.Farm.Grains.Jobs;

/// <summary>
/// The plans of the jobs whose windows run on this silo, read from the artifact store once per job and shared by all
/// of its windows here (a job's plan never changes once stored). Silos hosted in one process on one store share one
/// cache (<see cref="For"/>): a Wan-shaped plan holds 16 MB of prompt states, which 64 in-process silos would
/// otherwise each read and keep.
/// </summary>
public sealed class JobPlans(JobArtifacts artifacts)
{
    private const int Kept = 32;
    private static readonly ConditionalWeakTable<IArtifactStore, JobPlans> ByStore = [];
    private readonly ConcurrentDictionary<string, Lazy<Task<PlannedJob>>> _plans = new();
    private readonly ConcurrentQueue<string> _order = new();

    /// <summary>The plan cache of every silo of this process that keeps its artifacts in <paramref name="store"/>.</summary>
    public static JobPlans For(IArtifactStore store) => ByStore.GetValue(store, s => new JobPlans(new JobArtifacts(s)));

    public Task<PlannedJob> GetAsync(string jobId, CancellationToken cancellation = default)
    {
        var lazy = _plans.GetOrAdd(jobId, id =>
        {
            _order.Enqueue(id);
            // read outside any grain's scheduler: the task is shared by every window of the job on this silo
            return new Lazy<Task<PlannedJob>>(() => Task.Run(() => artifacts.LoadPlanAsync(id)));
        });
        while (_order.Count > Kept && _order.TryDequeue(out var oldest))
        {
            _plans.TryRemove(oldest, out _);
        }
        var task = lazy.Value;
        if (task.IsFaulted)
        {
            _plans.TryRemove(new KeyValuePair<string, Lazy<Task<PlannedJob>>>(jobId, lazy)); // a failed read is tried again next time
        }
        return task.WaitAsync(cancellation);
    }
}
