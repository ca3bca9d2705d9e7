using Orleans.Runtime;
using Orleans.Runtime.Placement;
using VideoDiffusion.Farm.Abstractions.Protocol;

namespace VideoDiffusion.Farm.Grains.Placement;

/// <summary>
/// Places the windows of one pass in contiguous blocks: with W windows over S silos, windows 0..⌈W/S⌉-1 go to one
/// silo, the next block to the next, and so on, in an order every silo computes alike (silos by address, rotated by
/// the job and pass: a neighbour's push may activate a window before the job starts it). Neighbours then share a
/// silo except at block ends, so overlap frames cross the network S-1 times per step instead of W-1. The order is
/// remembered per pass (the most recent passes only); a silo of it that is gone gives way to the least-loaded one.
/// Only passes whose windows exchange overlaps come in blocks: a chained pass's window (context key 0) goes to the
/// least-loaded silo, so the chain runs beside the main-pass windows it releases instead of queueing behind them.
/// </summary>
public sealed class PassBlocks
{
    private const int PassesKept = 512;
    private readonly object _lock = new();
    private readonly Dictionary<(string Job, string Pass), SiloAddress[]> _orders = [];
    private readonly Queue<(string, string)> _age = new();

    /// <summary>The silo for a window grain, or null when the target is not a window of a pass of known size.</summary>
    /// <param name="byLoad">The candidate silos, least loaded first.</param>
    public SiloAddress? Choose(PlacementTarget target, IReadOnlyList<SiloAddress> byLoad)
    {
        if (target.RequestContextData is not { } data || !data.TryGetValue(AcceleratorPlacement.PassWindowsContextKey, out var value)
            || value is not int windows || windows < 2 || target.GrainIdentity.Key.ToString() is not { } key || key.Split('/').Length != 3)
        {
            return null;
        }
        WindowKey window;
        try
        {
            window = WindowKey.Parse(key);
        }
        catch (ArgumentException)
        {
            return null;
        }
        SiloAddress[] order;
        lock (_lock)
        {
            if (!_orders.TryGetValue((window.JobId, window.Pass), out order!))
            {
                // rotated by the pass, so the first blocks of different jobs go to different silos
                var silos = byLoad.OrderBy(s => s.ToString(), StringComparer.Ordinal).ToList();
                var first = (int)(StableHash(window.JobId + "/" + window.Pass) % (uint)silos.Count);
                order = silos.Skip(first).Concat(silos.Take(first)).Take(Math.Min(windows, silos.Count)).ToArray();
                _orders[(window.JobId, window.Pass)] = order;
                _age.Enqueue((window.JobId, window.Pass));
                if (_age.Count > PassesKept)
                {
                    _orders.Remove(_age.Dequeue());
                }
            }
        }
        var block = (windows + order.Length - 1) / order.Length;
        var silo = order[Math.Min(order.Length - 1, window.Index / block)];
        return byLoad.Contains(silo) ? silo : null;
    }

    private static uint StableHash(string text)
    {
        var hash = 2166136261u; // FNV-1a: string.GetHashCode differs between processes
        foreach (var c in text)
        {
            hash = (hash ^ c) * 16777619u;
        }
        return hash;
    }
}
