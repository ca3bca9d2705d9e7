using System.Globalization;
using Orleans.Runtime;
using Orleans.Runtime.Placement;
using VideoDiffusion.Farm.Abstractions.Protocol;
using VideoDiffusion.Farm.Diffusion.Plans;

namespace VideoDiffusion.Farm.Grains.Placement;

/// <summary>
/// Places the windows of a pass that fuses overlaps on the silos, in an order every silo computes alike (silos by
/// address, rotated by the job and pass: a neighbour's push may activate a window before the job starts it). Alone, the
/// pass is cut into contiguous blocks, one per silo: neighbours share a silo except at block ends, so overlap frames
/// cross the network S-1 times per step instead of W-1. When a chained pass runs beside it (the keyframe chain of an
/// anchored pass), the chain releases the pass's windows front to back: the chain's windows go to the silo of the
/// pass's last windows, the last it releases, so that silo runs the chain while it waits for them
/// (<see cref="ChainSiloWindows"/>), and the windows before them are dealt to the other silos in chunks of about half
/// what one chain window releases (<see cref="FrontChunks"/>), so every silo has work near the chain's front early and
/// all finish together. The order is remembered per pass (the most recent passes only); a silo of it that is gone gives
/// way to the least-loaded one. A chained pass with no fused pass beside it goes window by window to the least-loaded
/// silo.
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
    public static string? Of(IReadOnlyList<PassPlan> passes, string pass)
    {
        PassPlan Named(string name) => passes.First(p => p.Name == name);
        var own = Named(pass);
        var fused = own.Fusion.Fuses ? own : passes.FirstOrDefault(p => p.AnchorPass == own.Name && p.Fusion.Fuses);
        if (fused is null)
        {
            return null;
        }
        var chain = fused.AnchorPass is { } anchor && Named(anchor).Chained ? Named(anchor).Windows.Windows.Count : 0;
        // a chain of one window (the top of keyframe levels) is done before any window of the pass can start: it
        // runs beside none of them, so the pass is laid out as if alone
        return Describe(fused.Name, fused.Windows.Windows.Count, chain > 1 ? chain : 0);
    }

    /// <summary>Blocks of the fused pass <paramref name="pass"/> of <paramref name="windows"/> windows, with a chain of <paramref name="chainWindows"/> windows beside it.</summary>
    public static string Describe(string pass, int windows, int chainWindows) =>
        string.Create(CultureInfo.InvariantCulture, $"{pass}/{windows}/{chainWindows}");

    /// <summary>
    /// The silo for a window grain, or null when the target is not a window placed by blocks. The windows of a job
    /// during which a silo joined no longer go by blocks (the balancer breaks them up to feed the silos that joined):
    /// those activated after the join, such as the last windows a keyframe chain releases, go to the least-loaded silo
    /// instead of piling up on the silo their block had. The chain's own windows stay on the chain's silo, which the
    /// balancer keeps for the chain alone (its slot counts as taken).
    /// </summary>
    /// <param name="byLoad">The candidate silos, least loaded first.</param>
    /// <param name="scaledJobs">The running jobs during which a silo joined.</param>
    public SiloAddress? Choose(PlacementTarget target, IReadOnlyList<SiloAddress> byLoad, IReadOnlyCollection<string> scaledJobs)
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
        if (scaledJobs.Contains(window.JobId) && window.Pass == pass)
        {
            return null;
        }
        var order = OrderOf(window.JobId, pass, windows, byLoad);
        // a window of the chain beside the pass goes where the pass's last block is
        var silo = window.Pass == pass ? order[SiloOf(window.Index, windows, chainWindows, order.Length)] : order[^1];
        return byLoad.Contains(silo) ? silo : null;
    }

    /// <summary>
    /// Which of <paramref name="silos"/> positions of the order window <paramref name="index"/> of
    /// <paramref name="windows"/> goes to: without a chain, contiguous blocks as even as whole windows allow; with a
    /// chain of <paramref name="chainWindows"/> windows beside the pass, the layout of <see cref="ChainSiloWindows"/>
    /// and <see cref="FrontChunks"/>.
    /// </summary>
    public static int SiloOf(int index, int windows, int chainWindows, int silos)
    {
        if (silos <= 1)
        {
            return 0;
        }
        if (chainWindows == 0)
        {
            return (int)((long)index * silos / windows);
        }
        var front = windows - ChainSiloWindows(windows, chainWindows, silos);
        if (index >= front)
        {
            return silos - 1;
        }
        var chunks = FrontChunks(front, windows, chainWindows, silos - 1);
        return (int)((long)index * chunks / front) % (silos - 1);
    }

    /// <summary>
    /// How many windows at the end of a pass the chain's silo holds beside a chain of <paramref name="chainWindows"/>
    /// windows: as many as leave it finishing with the other silos, which share the rest, counted in window times
    /// (C + t = (W − t) ÷ (S − 1), rounded up for the others). These are the windows the chain releases last, so that
    /// silo runs the chain while it waits for them. None when the chain alone outweighs another silo's share.
    /// </summary>
    public static int ChainSiloWindows(int windows, int chainWindows, int silos) =>
        Math.Clamp((windows - chainWindows * (silos - 1) + 1) / silos, 0, windows);

    /// <summary>
    /// Into how many even chunks the <paramref name="front"/> windows before the chain silo's are cut, dealt in turn to
    /// the <paramref name="frontSilos"/> other silos: a whole number of rounds of chunks of about half the windows one
    /// chain window releases. The chain releases the pass front to back, so each silo then has windows near the chain's
    /// front within a few chain windows of the start (contiguous blocks left the silos of later blocks idle until the
    /// chain reached them), and where the chain releases windows more slowly than the silos take them, the last windows
    /// it releases are spread thinly. Overlaps cross silos at the chunk ends only.
    /// </summary>
    public static int FrontChunks(int front, int windows, int chainWindows, int frontSilos)
    {
        // rounds ≈ 2 × front ÷ (frontSilos × windows per chain window), rounded, at least one; chunks of at least one window
        var rounds = (int)Math.Max(1, ((4L * front * chainWindows) + ((long)frontSilos * windows)) / (2L * frontSilos * windows));
        return Math.Max(1, Math.Min(rounds * frontSilos, front));
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
