using System.Collections.Concurrent;
using Orleans.Runtime;
using VideoDiffusion.Farm.Grains.Placement;

namespace VideoDiffusion.Farm.Grains.Windows;

/// <summary>
/// Which silos joined while windows were running: they take windows until they hold their share of the farm's running
/// windows, and then count like any other. A silo is judged by whether windows were running when it became active, not
/// by how the first view of the farm that shows it looks: a view taken just after a job started on silos that were all
/// up before it shows the silos whose blocks the job has not reached yet holding no windows, like silos that just joined.
/// </summary>
public sealed class SiloJoins
{
    private readonly ConcurrentDictionary<SiloAddress, bool> _arrivals = new();
    private readonly HashSet<SiloAddress> _judged = [];
    private readonly HashSet<SiloAddress> _joined = [];

    /// <summary>
    /// <paramref name="silo"/> is active as of now; <paramref name="windowsRunning"/> says whether windows were running
    /// then. Only the first sighting counts. Safe to call from the membership watch while the balancer judges.
    /// </summary>
    public void Arrived(SiloAddress silo, bool windowsRunning) => _arrivals.TryAdd(silo, windowsRunning);

    /// <summary>Whether <paramref name="silo"/> takes windows as a silo that joined.</summary>
    public bool Joined(SiloAddress silo) => _joined.Contains(silo);

    /// <summary>
    /// Judges a view of the farm (one balancing round): returns the silos that now count as joined. A silo in the view
    /// that has not been seen arriving yet is judged in a later round; a joined silo that holds its share stops counting.
    /// </summary>
    public IReadOnlyList<SiloAddress> Judge(IReadOnlyList<SiloLoad> silos)
    {
        var slots = silos.Sum(s => s.Slots);
        var mean = slots == 0 ? 0 : (double)silos.Sum(s => s.Windows) / slots;
        var joinedNow = new List<SiloAddress>();
        foreach (var silo in silos)
        {
            if (_arrivals.TryGetValue(silo.Address, out var windowsRunning) && _judged.Add(silo.Address) && windowsRunning && silo.Windows == 0)
            {
                _joined.Add(silo.Address);
                joinedNow.Add(silo.Address);
            }
            else if (_joined.Contains(silo.Address) && silo.Windows > 0 && silo.Windows >= Math.Floor(mean * silo.Slots))
            {
                // it has its share. Only once it holds a window: a view whose reports predate the job's windows has a
                // mean of 0, which every silo "holds"
                _joined.Remove(silo.Address);
            }
        }
        return joinedNow;
    }
}
