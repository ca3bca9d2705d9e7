using Orleans.Runtime;
using VideoDiffusion.Farm.Grains.Placement;

namespace VideoDiffusion.Farm.Grains.Windows;

/// <summary>
/// Where windows should go so every accelerator silo runs the same number of windows per open slot (a slot running a
/// chained window, a job's critical path, is kept for it: <see cref="SiloLoad.OpenSlots"/>).
/// </summary>
public static class WindowSpread
{
    /// <summary>
    /// One entry per window to move: from a silo holding more than its share (the farm's mean windows per slot, rounded
    /// up) to one holding fewer, never past the share. A window only moves between silos at least two windows apart,
    /// so it never moves back and forth; rounding the share up on both sides lets the last windows of a job, fewer than
    /// two per slot, leave a silo that holds many of them for silos that hold one. A silo whose slots all run chained
    /// windows has a share of none: its other windows leave, and it takes none. Deterministic for a given view, so
    /// silos that see the same view agree on who sends what to whom.
    /// </summary>
    /// <param name="mayReceive">Which silos below the mean take windows.</param>
    public static List<(SiloAddress From, SiloAddress To)> Moves(IReadOnlyList<SiloLoad> silos, Func<SiloAddress, bool> mayReceive)
    {
        var slots = silos.Sum(s => s.OpenSlots);
        if (slots == 0)
        {
            return [];
        }
        var mean = (double)silos.Sum(s => s.OtherWindows) / slots;
        var surplus = new Queue<SiloAddress>(silos.SelectMany(s => Enumerable.Repeat(s.Address, Math.Max(0, s.OtherWindows - (int)Math.Ceiling(mean * s.OpenSlots)))));
        var deficit = new Queue<SiloAddress>(silos.Where(s => mayReceive(s.Address)).SelectMany(s => Enumerable.Repeat(s.Address, Math.Max(0, (int)Math.Ceiling(mean * s.OpenSlots) - s.OtherWindows))));
        var moves = new List<(SiloAddress, SiloAddress)>();
        while (surplus.Count > 0 && deficit.Count > 0)
        {
            moves.Add((surplus.Dequeue(), deficit.Dequeue()));
        }
        return moves;
    }

    /// <summary>Targets for <paramref name="windows"/> windows leaving a stopping silo: each to the open silo with the fewest windows per slot so far.</summary>
    public static List<SiloAddress> HandOverTargets(IReadOnlyList<SiloLoad> open, int windows)
    {
        var counts = open.ToDictionary(s => s.Address, s => s.Windows);
        var targets = new List<SiloAddress>(windows);
        for (var i = 0; i < windows; i++)
        {
            var target = open.OrderBy(s => (double)counts[s.Address] / s.Slots).ThenBy(s => s.Address.ToString(), StringComparer.Ordinal).First().Address;
            counts[target]++;
            targets.Add(target);
        }
        return targets;
    }
}
