using System.Globalization;
using Orleans.Runtime;
using Orleans.Runtime.Placement;
using VideoDiffusion.Farm.Abstractions.Protocol;
using VideoDiffusion.Farm.Diffusion.Plans;

namespace VideoDiffusion.Farm.Grains.Placement;

/// <summary>
/// Places the windows of a pass that fuses overlaps in contiguous blocks, one per silo, in an order every silo computes
/// alike (silos by address, rotated by the job and pass: a neighbour's push may activate a window before the job starts
/// it). Neighbours then share a silo except at block ends, so overlap frames cross the network S-1 times per step
/// instead of W-1. When a chained pass runs beside it (the keyframe chain of an anchored pass), the chain releases the
/// pass's windows front to back: the chain's windows go to the silo of the last block, whose windows are the last it
/// releases, so that silo runs the chain while it waits for them, and the blocks shrink down the clip by as much as
/// their silos start later (<see cref="ChainedBlockSizes"/>), so all finish together. The order is remembered per pass
/// (the most recent passes only); a silo of it that is gone gives way to the least-loaded one. A chained pass with no
/// fused pass beside it goes window by window to the least-loaded silo.
/// </summary>
public sealed class PassBlocks
{
    private const int PassesKept = 512;
    private readonly object _lock = new();
    private readonly Dictionary<(string Job, string Pass), SiloAddress[]> _orders = [];
    private readonly Queue<(string, string)> _age = new();

    /// <summary>
    /// What placement needs to know of the blocks a window of <paramref name="pass"/> goes by (the value of
    /// <see cref="AcceleratorPlacement.BlocksContextKey"/>), or null when it goes by none.
    /// </summary>
    public static string? Of(JobPlan plan, string pass)
    {
        var own = plan.Pass(pass);
        var fused = own.Fusion.Fuses ? own : plan.Passes.FirstOrDefault(p => p.AnchorPass == own.Name && p.Fusion.Fuses);
        if (fused is null)
        {
            return null;
        }
        var chain = fused.AnchorPass is { } anchor && plan.Pass(anchor).Chained ? plan.Pass(anchor).Windows.Windows.Count : 0;
        return Describe(fused.Name, fused.Windows.Windows.Count, chain);
    }

    /// <summary>Blocks of the fused pass <paramref name="pass"/> of <paramref name="windows"/> windows, with a chain of <paramref name="chainWindows"/> windows beside it.</summary>
    public static string Describe(string pass, int windows, int chainWindows) =>
        string.Create(CultureInfo.InvariantCulture, $"{pass}/{windows}/{chainWindows}");

    /// <summary>The silo for a window grain, or null when the target is not a window placed by blocks.</summary>
    /// <param name="byLoad">The candidate silos, least loaded first.</param>
    public SiloAddress? Choose(PlacementTarget target, IReadOnlyList<SiloAddress> byLoad)
    {
        if (target.RequestContextData is not { } data || !data.TryGetValue(AcceleratorPlacement.BlocksContextKey, out var value)
            || value is not string described || Parse(described) is not (var pass, var windows, var chainWindows) || windows < 2
            || target.GrainIdentity.Key.ToString() is not { } key || key.Split('/').Length != 3)
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
        var order = OrderOf(window.JobId, pass, windows, byLoad);
        // a window of the chain beside the pass goes where the pass's last block is
        var silo = window.Pass == pass ? order[BlockOf(window.Index, windows, chainWindows, order.Length)] : order[^1];
        return byLoad.Contains(silo) ? silo : null;
    }

    /// <summary>
    /// Which of <paramref name="silos"/> contiguous blocks window <paramref name="index"/> of <paramref name="windows"/>
    /// is in: blocks as even as whole windows allow, or, with a chain of <paramref name="chainWindows"/> windows beside
    /// the pass, the blocks of <see cref="ChainedBlockSizes"/>.
    /// </summary>
    public static int BlockOf(int index, int windows, int chainWindows, int silos)
    {
        if (silos <= 1)
        {
            return 0;
        }
        if (chainWindows == 0)
        {
            return (int)((long)index * silos / windows);
        }
        var end = 0;
        var sizes = ChainedBlockSizes(windows, chainWindows, silos);
        for (var block = 0; block < silos - 1; block++)
        {
            end += sizes[block];
            if (index < end)
            {
                return block;
            }
        }
        return silos - 1;
    }

    /// <summary>
    /// Block sizes for a pass of <paramref name="windows"/> windows that a chain of <paramref name="chainWindows"/>
    /// windows releases front to back, sized so the silos finish together. Counted in the time of one window: window
    /// a starts about a · chainWindows / windows window times after the first, so a block further down the clip starts
    /// later and holds fewer windows, and the last block, on the chain's silo, starts once the chain is done and holds
    /// chainWindows fewer than the first. The sizes are those of the earliest common finish T: blocks of
    /// T − (their first window's start) windows, the last one T − chainWindows, covering the pass (to within one window,
    /// which the last block takes). Silos past the end of the clip get none.
    /// </summary>
    public static int[] ChainedBlockSizes(int windows, int chainWindows, int silos)
    {
        int low = 0, high = windows + chainWindows;
        while (low < high)
        {
            var finish = (low + high) / 2;
            if (Cover(finish, null) >= windows - 1)
            {
                high = finish;
            }
            else
            {
                low = finish + 1;
            }
        }
        var sizes = new int[silos];
        Cover(low, sizes);
        sizes[^1] = windows - sizes.Sum();
        return sizes;

        // windows covered by blocks that all finish by `finish`, and their sizes but the last one's
        int Cover(int finish, int[]? sizes)
        {
            var start = 0;
            for (var block = 0; block < silos - 1; block++)
            {
                var size = Math.Clamp(finish - (int)((long)start * chainWindows / windows), 0, windows - start);
                if (sizes is not null)
                {
                    sizes[block] = size;
                }
                start += size;
            }
            return start + Math.Max(0, finish - chainWindows);
        }
    }

    private SiloAddress[] OrderOf(string job, string pass, int windows, IReadOnlyList<SiloAddress> byLoad)
    {
        lock (_lock)
        {
            if (!_orders.TryGetValue((job, pass), out var order))
            {
                // rotated by the pass, so the first blocks of different jobs go to different silos
                var silos = byLoad.OrderBy(s => s.ToString(), StringComparer.Ordinal).ToList();
                var first = (int)(StableHash(job + "/" + pass) % (uint)silos.Count);
                order = silos.Skip(first).Concat(silos.Take(first)).Take(Math.Min(windows, silos.Count)).ToArray();
                _orders[(job, pass)] = order;
                _age.Enqueue((job, pass));
                if (_age.Count > PassesKept)
                {
                    _orders.Remove(_age.Dequeue());
                }
            }
            return order;
        }
    }

    private static (string Pass, int Windows, int ChainWindows)? Parse(string described)
    {
        var parts = described.Split('/');
        return parts.Length == 3
               && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var windows)
               && int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var chain)
            ? (parts[0], windows, chain)
            : null;
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
