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
    private readonly LinkedList<(string Window, Action<SiloAddress> Move)> _windows = [];

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

    /// <summary>Makes a running window movable until the registration is disposed.</summary>
    public IDisposable Register(string window, Action<SiloAddress> move)
    {
        LinkedListNode<(string, Action<SiloAddress>)> node;
        lock (_lock)
        {
            node = _windows.AddLast((window, move));
        }
        return new Registration(this, node);
    }

    /// <summary>Asks one window per entry of <paramref name="targets"/> to move there, most recently started first; returns how many were asked.</summary>
    public int RequestMoves(IEnumerable<SiloAddress> targets)
    {
        var asked = 0;
        foreach (var target in targets)
        {
            Action<SiloAddress> move;
            lock (_lock)
            {
                if (_windows.Last is not { } last)
                {
                    break;
                }
                move = last.Value.Move;
                _windows.RemoveLast();
            }
            move(target);
            asked++;
        }
        return asked;
    }

    private void Remove(LinkedListNode<(string, Action<SiloAddress>)> node)
    {
        lock (_lock)
        {
            if (node.List is not null)
            {
                _windows.Remove(node);
            }
        }
    }

    private sealed class Registration(WindowMoves owner, LinkedListNode<(string, Action<SiloAddress>)> node) : IDisposable
    {
        public void Dispose() => owner.Remove(node);
    }
}
