using Orleans.Runtime;
using VideoDiffusion.Farm.Abstractions.Monitoring;

namespace VideoDiffusion.Farm.Grains.Placement;

/// <summary>
/// This silo's view of where the farm's work is: running windows, slots and served models per accelerator silo, from
/// the farm monitor's latest reports, plus the windows this silo has placed or moved since (which those reports do not
/// show yet). Placement, the window balancer and <see cref="ModelServers"/> read it; one per silo.
/// </summary>
public sealed class FarmLoad
{
    private readonly object _lock = new();
    private Dictionary<SiloAddress, SiloLoad> _silos = [];
    private readonly Dictionary<SiloAddress, int> _sentSince = [];

    private string[] _scaledJobs = [];

    /// <summary>The running jobs during which a silo joined, as far as this silo knows (what it reports as <see cref="SiloReport.ScaledJobs"/>).</summary>
    public string[] ScaledJobs
    {
        get => Volatile.Read(ref _scaledJobs);
        set => Volatile.Write(ref _scaledJobs, value);
    }

    /// <summary>Whether this silo is stopping (it places nothing on itself and hands its windows over).</summary>
    public bool Draining { get; private set; }

    public void StartDraining() => Draining = true;

    /// <summary>Replaces the view with the monitor's reports; the local counts since the last view start again.</summary>
    public void Update(IEnumerable<SiloReport> reports)
    {
        var silos = reports.Where(r => r.Slots.Length > 0)
            .ToDictionary(r => r.Address, r => new SiloLoad(r.Address, r.Slots.Length, r.RunningWindows.Sum(w => w.Windows), r.Draining, ModelServers.Encode(r.Models)));
        lock (_lock)
        {
            _silos = silos;
            _sentSince.Clear();
        }
    }

    /// <summary>Counts a window placed on (or moved to) <paramref name="silo"/> until the next view.</summary>
    public void Added(SiloAddress silo, int windows = 1)
    {
        lock (_lock)
        {
            _sentSince[silo] = _sentSince.GetValueOrDefault(silo) + windows;
        }
    }

    /// <summary>Windows running on <paramref name="silo"/> as far as this silo knows (its last report and what was sent since).</summary>
    public int Windows(SiloAddress silo)
    {
        lock (_lock)
        {
            return (_silos.TryGetValue(silo, out var load) ? load.Windows : 0) + _sentSince.GetValueOrDefault(silo);
        }
    }

    /// <summary>The slots <paramref name="silo"/> reported (0 when it is not on the latest view).</summary>
    public int Slots(SiloAddress silo)
    {
        lock (_lock)
        {
            return _silos.TryGetValue(silo, out var load) ? load.Slots : 0;
        }
    }

    /// <summary>The models <paramref name="silo"/> reported serving (<see cref="ModelServers.Encode"/>), or null when it is not on the latest view.</summary>
    public string? ReportedModels(SiloAddress silo)
    {
        lock (_lock)
        {
            return _silos.TryGetValue(silo, out var load) ? load.Models : null;
        }
    }

    public bool IsDraining(SiloAddress silo)
    {
        lock (_lock)
        {
            return _silos.TryGetValue(silo, out var load) && load.Draining;
        }
    }

    /// <summary>The accelerator silos of the latest view, with the windows sent to each since.</summary>
    public IReadOnlyList<SiloLoad> Snapshot()
    {
        lock (_lock)
        {
            return _silos.Values.Select(s => s with { Windows = s.Windows + _sentSince.GetValueOrDefault(s.Address) }).ToList();
        }
    }
}

/// <summary>One accelerator silo's load: its slots, the windows running on it, whether it is stopping, the models it serves.</summary>
public sealed record SiloLoad(SiloAddress Address, int Slots, int Windows, bool Draining, string Models);
