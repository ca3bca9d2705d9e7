using Orleans.Runtime;

namespace VideoDiffusion.Farm.Grains.Windows;

/// <summary>
/// The windows running on this silo that can be asked to move: a window registers while its loop runs, and a move
/// request makes it leave for the given silo at its next step boundary. Each window is asked at most once per run, so
/// at most one move per window is ever in flight. One per silo.
/// </summary>
public sealed class WindowMoves
{
    private readonly object _lock = new();
    private readonly LinkedList<Movable> _windows = [];
    private int _leaving;

    /// <summary>Windows running here that have not been asked to move.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _windows.Count;
            }
        }
    }

    /// <summary>Windows asked to move that have not left yet: the farm's view still counts them here.</summary>
    public int Leaving
    {
        get
        {
            lock (_lock)
            {
                return _leaving;
            }
        }
    }

    /// <summary>
    /// Makes a running window movable, to the silos <paramref name="accepts"/> allows, until the registration is
    /// disposed. A <paramref name="pinned"/> window (of a chained pass: the job's critical path, which a move would hold
    /// up) leaves only when this silo stops.
    /// </summary>
    public IDisposable Register(string window, Action<SiloAddress> move, Func<SiloAddress, bool> accepts, bool pinned = false)
    {
        LinkedListNode<Movable> node;
        lock (_lock)
        {
            node = _windows.AddLast(new Movable(window, move, accepts, pinned));
        }
        return new Registration(this, node);
    }

    /// <summary>
    /// Asks one window per entry of <paramref name="targets"/> to move there, most recently started first among those
    /// that accept that silo (a window goes only where its model has the job's content hash) and, unless
    /// <paramref name="stopping"/>, are not pinned; returns the targets a window was asked to move to (a target no
    /// window accepts is left out).
    /// </summary>
    public List<SiloAddress> RequestMoves(IEnumerable<SiloAddress> targets, bool stopping = false)
    {
        var asked = new List<SiloAddress>();
        foreach (var target in targets)
        {
            Action<SiloAddress>? move = null;
            lock (_lock)
            {
                for (var node = _windows.Last; node is not null; node = node.Previous)
                {
                    if ((stopping || !node.Value.Pinned) && node.Value.Accepts(target))
                    {
                        move = node.Value.Move;
                        _windows.Remove(node);
                        _leaving++;
                        break;
                    }
                }
            }
            if (move is null)
            {
                continue;
            }
            move(target);
            asked.Add(target);
        }
        return asked;
    }

    private void Remove(LinkedListNode<Movable> node)
    {
        lock (_lock)
        {
            if (node.List is not null)
            {
                _windows.Remove(node);
            }
            else
            {
                _leaving--; // asked to move, and now gone
            }
        }
    }

    private sealed record Movable(string Window, Action<SiloAddress> Move, Func<SiloAddress, bool> Accepts, bool Pinned);

    private sealed class Registration(WindowMoves owner, LinkedListNode<Movable> node) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Remove(node);
            }
        }
    }
}
