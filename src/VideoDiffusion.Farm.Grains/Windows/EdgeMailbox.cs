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
    private readonly Dictionary<int, int> _lastStepFrom = [];
    private readonly Dictionary<int, int> _droppedBelow = [];

    /// <summary>The log holds every edge sent from this step on (to a neighbour that finished: <see cref="LogFromFor"/>).</summary>
    public int LogFrom { get; private set; } = int.MaxValue;

    /// <summary>The log holds every edge sent to window <paramref name="to"/> from this step on; an ask for older ones makes the window rewind.</summary>
    public int LogFromFor(int to) => Math.Max(LogFrom, _droppedBelow.GetValueOrDefault(to, int.MinValue));

    /// <summary>Stores an edge, or hands it to the loop waiting for it.</summary>
    public void Receive(EdgeMessage edge)
    {
        var id = (edge.Step, edge.FromWindow);
        _lastStepFrom[edge.FromWindow] = Math.Max(edge.Step, _lastStepFrom.GetValueOrDefault(edge.FromWindow, -1));
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
        foreach (var to in _droppedBelow.Keys)
        {
            _droppedBelow[to] = Math.Min(_droppedBelow[to], step);
        }
    }

    /// <summary>The latest step any edge from window <paramref name="from"/> was received for (-1: none).</summary>
    public int LastStepFrom(int from) => _lastStepFrom.GetValueOrDefault(from, -1);

    /// <summary>Everything a window moving to another silo must take along (no loop may be waiting).</summary>
    public EdgeMailboxContents Export() => new()
    {
        Inbox = _inbox.Select(e => new EdgeMessage(e.Key.Step, e.Key.From, e.Value)).ToArray(),
        SentTo = _sent.Select(s => s.To).ToArray(),
        Sent = _sent.Select(s => s.Edge).ToArray(),
        LogFrom = LogFrom,
        LastStepFrom = new Dictionary<int, int>(_lastStepFrom),
        DroppedBelow = new Dictionary<int, int>(_droppedBelow),
    };

    /// <summary>Takes over a moved window's mailbox; edges that reached this activation first are kept.</summary>
    public void Import(EdgeMailboxContents contents)
    {
        foreach (var edge in contents.Inbox)
        {
            _inbox.TryAdd((edge.Step, edge.FromWindow), edge.Frames);
        }
        _sent.InsertRange(0, contents.SentTo.Zip(contents.Sent));
        LogFrom = contents.LogFrom;
        foreach (var (from, step) in contents.LastStepFrom)
        {
            _lastStepFrom[from] = Math.Max(step, _lastStepFrom.GetValueOrDefault(from, -1));
        }
        foreach (var (to, step) in contents.DroppedBelow ?? [])
        {
            _droppedBelow[to] = step;
        }
    }

    /// <summary>
    /// Drops the logged edges older than the checkpoint each of <paramref name="neighbours"/> has surely stored. A window
    /// stores its checkpoint at every multiple of <paramref name="checkpointEvery"/> before it sends that step's edges,
    /// and resumes from its latest one, so once an edge for step t has come from a neighbour, it asks for nothing older
    /// than the multiple at or below t (if it ever did, this window would rewind for it). With checkpoints every 5 of
    /// 10 steps the log holds at most 6 steps' edges instead of all 10. With a period of 1 it holds only the edges a
    /// neighbour has not used yet: its edge for step t comes after it fused step t − 1.
    /// </summary>
    public void PruneBelowCheckpointsOf(IEnumerable<int> neighbours, int checkpointEvery)
    {
        var stored = neighbours.Select(n => Math.Max(0, LastStepFrom(n)) / checkpointEvery * checkpointEvery).DefaultIfEmpty(0).Min();
        if (stored > 0)
        {
            Prune(stored);
        }
    }

    /// <summary>
    /// Drops the logged edges sent to window <paramref name="to"/>, which has stored its final latents and asks for
    /// none unless something rewinds it: then this window rewinds too, as for any edge no longer in the log.
    /// </summary>
    public void ForgetSentTo(int to)
    {
        _sent.RemoveAll(s => s.To == to);
        _droppedBelow[to] = int.MaxValue;
    }

    private void Prune(int beforeStep)
    {
        _sent.RemoveAll(s => s.Edge.Step < beforeStep);
        LogFrom = Math.Max(LogFrom, beforeStep);
    }
}
