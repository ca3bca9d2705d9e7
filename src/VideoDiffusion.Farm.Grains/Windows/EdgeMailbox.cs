using VideoDiffusion.Farm.Abstractions;
using VideoDiffusion.Farm.Abstractions.Protocol;

namespace VideoDiffusion.Farm.Grains.Windows;

/// <summary>
/// A window's edges: those received and not yet used, waiters for edges not yet received, and the log of edges it
/// sent (kept so a neighbour resuming from its checkpoint can ask for what it was sent since then).
/// </summary>
public sealed class EdgeMailbox
{
    private readonly Dictionary<(int Step, int From), float[]> _inbox = [];
    private readonly Dictionary<(int Step, int From), TaskCompletionSource<float[]>> _waiting = [];
    private readonly List<(int To, EdgeMessage Edge)> _sent = [];

    /// <summary>The log holds every edge sent from this step on.</summary>
    public int LogFrom { get; private set; } = int.MaxValue;

    /// <summary>Stores an edge, or hands it to the loop waiting for it.</summary>
    public void Receive(EdgeMessage edge)
    {
        var id = (edge.Step, edge.FromWindow);
        if (!(_waiting.Remove(id, out var waiter) && waiter.TrySetResult(edge.Frames)))
        {
            _inbox[id] = edge.Frames;
        }
    }

    /// <summary>The edge from window <paramref name="from"/> for step <paramref name="step"/>, now or when it arrives.</summary>
    public Task<float[]> Take(int step, int from, CancellationToken cancellation)
    {
        if (_inbox.Remove((step, from), out var frames))
        {
            return Task.FromResult(frames);
        }
        var waiter = new TaskCompletionSource<float[]>();
        _waiting[(step, from)] = waiter;
        var registration = cancellation.Register(() => waiter.TrySetCanceled());
        waiter.Task.ContinueWith(_ => registration.Dispose(), TaskScheduler.Default);
        return waiter.Task;
    }

    public void CancelWaiters()
    {
        foreach (var waiter in _waiting.Values)
        {
            waiter.TrySetCanceled();
        }
    }

    public void Sent(int to, EdgeMessage edge) => _sent.Add((to, edge));

    /// <summary>Edges sent to <paramref name="to"/> after <paramref name="afterStep"/>.</summary>
    public EdgeMessage[] SentTo(int to, int afterStep) => _sent.Where(s => s.To == to && s.Edge.Step > afterStep).Select(s => s.Edge).ToArray();

    /// <summary>A run that continues from <paramref name="step"/> sends every edge from there on again.</summary>
    public void RestartLogAt(int step)
    {
        LogFrom = step;
        _sent.RemoveAll(s => s.Edge.Step >= step);
    }

    public void Prune(int beforeStep)
    {
        _sent.RemoveAll(s => s.Edge.Step < beforeStep);
        LogFrom = Math.Max(LogFrom, beforeStep);
    }
}
