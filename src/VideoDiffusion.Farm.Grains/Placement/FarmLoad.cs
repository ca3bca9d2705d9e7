using Orleans.Runtime;
using VideoDiffusion.Farm.Abstractions.Monitoring;

namespace VideoDiffusion.Farm.Grains.Placement;

/// <summary>
/// This silo's view of where the farm's work is: running windows, slots and served models per accelerator silo, from
/// the farm monitor's latest reports, plus the windows this silo has placed or moved since (which those reports do not
/// show yet). Placement, the window balancer and <see cref="ModelServers"/> read it; one per silo.
/// </summary>
public sealed class FarmLoad(TimeProvider? clock = null)
{
    /// <summary>
    /// How long before a report a placement may have been made and still not show in it: the window had been placed
    /// but not yet started running when the silo took its report.
    /// </summary>
    private static readonly TimeSpan StartLatency = TimeSpan.FromSeconds(1);

    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly object _lock = new();
    private Dictionary<SiloAddress, SiloLoad> _silos = [];

    /// <summary>Windows placed on (or moved to) each silo, with when, until a report of that silo shows them.</summary>
    private readonly Dictionary<SiloAddress, List<(DateTimeOffset At, int Windows)>> _sent = [];

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

    /// <summary>
    /// Replaces the view with the monitor's reports. The windows this silo placed stay counted until a report of
    /// their silo taken after them (a report is up to one reporting period old when it arrives, so the view would
    /// otherwise forget the windows placed in that time and send the next ones to the same silo).
    /// </summary>
    public void Update(IEnumerable<SiloReport> reports)
    {
        var accelerators = reports.Where(r => r.Slots.Length > 0).ToList();
        var silos = accelerators.ToDictionary(r => r.Address, r => new SiloLoad(r.Address, r.Slots.Length, r.RunningWindows.Sum(w => w.Windows), r.Draining, ModelServers.Encode(r.Models), r.ChainedWindows));
        var reportedAt = accelerators.ToDictionary(r => r.Address, r => r.ReportedAt);
        lock (_lock)
        {
            _silos = silos;
            foreach (var silo in _sent.Keys.ToList())
            {
                if (reportedAt.TryGetValue(silo, out var at))
                {
                    _sent[silo].RemoveAll(p => p.At < at - StartLatency);
                }
                if (!reportedAt.ContainsKey(silo) || _sent[silo].Count == 0)
                {
                    _sent.Remove(silo);
                }
            }
        }
    }

    /// <summary>Counts a window placed on (or moved to) <paramref name="silo"/> until a report of that silo shows it.</summary>
    public void Added(SiloAddress silo, int windows = 1)
    {
        lock (_lock)
        {
            if (!_sent.TryGetValue(silo, out var sent))
            {
                _sent[silo] = sent = [];
            }
            sent.Add((_clock.GetUtcNow(), windows));
        }
    }

    private int SentTo(SiloAddress silo) => _sent.TryGetValue(silo, out var sent) ? sent.Sum(p => p.Windows) : 0;

    /// <summary>
    /// Windows per open slot on <paramref name="silo"/> as far as this silo knows (<see cref="SiloLoad.OpenSlots"/>):
    /// what placement ranks silos by. A silo whose every slot runs a chained window ranks last.
    /// </summary>
    public double WindowsPerOpenSlot(SiloAddress silo, int slots)
    {
        lock (_lock)
        {
            var load = (_silos.TryGetValue(silo, out var reported) ? reported : new SiloLoad(silo, slots, 0, false, "")) with { Slots = slots };
            var windows = load.OtherWindows + SentTo(silo);
            return load.OpenSlots == 0 ? double.PositiveInfinity : (double)windows / load.OpenSlots;
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
            return _silos.Values.Select(s => s with { Windows = s.Windows + SentTo(s.Address) }).ToList();
        }
    }
}

/// <summary>
/// One accelerator silo's load: its slots, the windows running on it (<paramref name="ChainedWindows"/> of them of
/// chained passes), whether it is stopping, the models it serves.
/// </summary>
public sealed record SiloLoad(SiloAddress Address, int Slots, int Windows, bool Draining, string Models, int ChainedWindows = 0)
{
    /// <summary>Slots not kept by a chained window: a keyframe chain is the job's critical path and runs alone on its slot.</summary>
    public int OpenSlots => Math.Max(0, Slots - ChainedWindows);

    /// <summary>The running windows that share the open slots.</summary>
    public int OtherWindows => Math.Max(0, Windows - ChainedWindows);
}
