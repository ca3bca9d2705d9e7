using VideoDiffusion.Farm.Abstractions.Monitoring;

namespace VideoDiffusion.Farm.Grains.Monitoring;

/// <summary>
/// The windows whose sampling loop runs on this silo, counted per job: a window registers when its loop starts and
/// the returned registration ends when the loop leaves, however it leaves. One per silo (a DI singleton), so the
/// silos of an embedded farm count apart.
/// </summary>
public sealed class RunningWindows
{
    private readonly object _lock = new();
    private readonly Dictionary<string, (string Tenant, int Windows)> _jobs = [];
    private int _chained;

    /// <summary>
    /// Running windows of chained passes (a job's critical path, one window after another): each keeps a slot to
    /// itself, so the farm's balancing counts that slot as taken.
    /// </summary>
    public int Chained
    {
        get
        {
            lock (_lock)
            {
                return _chained;
            }
        }
    }

    /// <summary>Counts one more running window of <paramref name="jobId"/> until the registration is disposed.</summary>
    public IDisposable Register(string jobId, string tenant, bool chained = false)
    {
        lock (_lock)
        {
            var windows = _jobs.TryGetValue(jobId, out var entry) ? entry.Windows : 0;
            _jobs[jobId] = (tenant, windows + 1);
            _chained += chained ? 1 : 0;
        }
        return new Registration(this, jobId, chained);
    }

    /// <summary>The running windows per job now.</summary>
    public JobWindows[] Snapshot()
    {
        lock (_lock)
        {
            return _jobs.Select(j => new JobWindows(j.Key, j.Value.Tenant, j.Value.Windows)).ToArray();
        }
    }

    private void Unregister(string jobId, bool chained)
    {
        lock (_lock)
        {
            _chained -= chained ? 1 : 0;
            if (!_jobs.TryGetValue(jobId, out var entry))
            {
                return;
            }
            if (entry.Windows <= 1)
            {
                _jobs.Remove(jobId);
            }
            else
            {
                _jobs[jobId] = entry with { Windows = entry.Windows - 1 };
            }
        }
    }

    /// <summary>One window's registration; disposing it twice counts once.</summary>
    private sealed class Registration(RunningWindows registry, string jobId, bool chained) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                registry.Unregister(jobId, chained);
            }
        }
    }
}
