using Orleans.Concurrency;
using Orleans.Runtime;
using VideoDiffusion.Farm.Abstractions.Monitoring;

namespace VideoDiffusion.Farm.Grains.Monitoring;

/// <summary>
/// Holds the latest snapshot of each reporting silo in memory. Every call is a dictionary update or read, so calls
/// interleave freely. Staleness is judged by this grain's clock (when a report arrived), not the silo's, so clock
/// skew between machines cannot keep a silent silo on the view or drop a live one.
/// </summary>
[Reentrant]
public sealed class FarmMonitorGrain(IClusterMembershipService membership, TimeProvider clock) : Grain, IFarmMonitorGrain
{
    /// <summary>A silo missing this many periods in a row is left off the view.</summary>
    public const int MissedPeriods = 3;

    private readonly Dictionary<SiloAddress, (SiloReport Report, DateTimeOffset ReceivedAt)> _silos = [];

    public Task Report(SiloReport report)
    {
        _silos[report.Address] = (report, clock.GetUtcNow());
        return Task.CompletedTask;
    }

    public Task<SiloReport[]> Silos()
    {
        var now = clock.GetUtcNow();
        var members = membership.CurrentSnapshot;
        foreach (var (address, (report, receivedAt)) in _silos.ToList())
        {
            if (now - receivedAt > MissedPeriods * report.Period || members.GetSiloStatus(address).IsTerminating())
            {
                _silos.Remove(address);
            }
        }
        return Task.FromResult(_silos.Values.Select(s => s.Report).OrderBy(r => r.Name, StringComparer.Ordinal).ToArray());
    }
}
