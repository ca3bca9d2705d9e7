using VideoDiffusion.Farm.Abstractions;

namespace VideoDiffusion.Farm.Grains.Jobs;

/// <summary>The observers a job pushes its status to: at most every 200 ms, at once for its final state.</summary>
public sealed class JobObservers
{
    private static readonly TimeSpan MinimumInterval = TimeSpan.FromMilliseconds(200);
    private readonly HashSet<IJobObserver> _observers = [];
    private DateTime _lastNotified;

    public Task Add(IJobObserver observer)
    {
        _observers.Add(observer);
        return Task.CompletedTask;
    }

    public Task Remove(IJobObserver observer)
    {
        _observers.Remove(observer);
        return Task.CompletedTask;
    }

    /// <summary>Pushes the status made by <paramref name="status"/> unless one was pushed very recently (<paramref name="force"/>: always).</summary>
    public void Notify(Func<JobStatus> status, bool force)
    {
        if (_observers.Count == 0 || (!force && DateTime.UtcNow - _lastNotified < MinimumInterval))
        {
            return;
        }
        _lastNotified = DateTime.UtcNow;
        var snapshot = status();
        foreach (var observer in _observers)
        {
            observer.OnStatus(snapshot);
        }
    }
}
