using System.Net;
using Orleans.Runtime;
using Orleans.Runtime.MembershipService.SiloMetadata;
using VideoDiffusion.Farm.Abstractions;
using VideoDiffusion.Farm.Abstractions.Monitoring;
using VideoDiffusion.Farm.Grains.Placement;

namespace VideoDiffusion.Farm.Grains.Tests;

/// <summary>
/// A silo whose metadata this silo has not fetched (Orleans fetches it once per membership change and backs off after a
/// failed fetch) still counts as serving the models its farm report lists, so windows can move to it.
/// </summary>
public sealed class ModelServersTests
{
    private static readonly SiloAddress Joined = SiloAddress.New(IPAddress.Loopback, 11111, 1);

    /// <summary>This silo has fetched no other silo's metadata yet.</summary>
    private sealed class NoMetadataYet : ISiloMetadataCache
    {
        public SiloMetadata GetSiloMetadata(SiloAddress siloAddress) => SiloMetadata.Empty;
    }

    private static SiloReport Report(SiloAddress silo, string hash) => new()
    {
        Name = silo.ToString(),
        Address = silo,
        ReportedAt = DateTimeOffset.UtcNow,
        Period = TimeSpan.FromSeconds(2),
        Slots = [new SlotReading(0, 0, [])],
        BusySeconds = 0,
        QueuedWindowSteps = 0,
        WindowSteps = 0,
        RunningWindows = [],
        Models = [new ModelInfo("moonwalk", 8, 64, 64, 16, 4, 10, 1, false, false) { Hashes = [new ModelServing(hash, 1)] }],
    };

    [Fact]
    public void ASiloWithoutFetchedMetadataServesWhatItsLatestReportLists()
    {
        var load = new FarmLoad();
        var servers = new ModelServers(new NoMetadataYet(), membership: null!, load);
        Assert.False(servers.Serves(Joined, "moonwalk", "bbb"));
        Assert.True(servers.Serves(Joined, "moonwalk", "")); // no hash asked: any silo

        load.Update([Report(Joined, "bbb")]);
        Assert.True(servers.Serves(Joined, "moonwalk", "bbb"));
        Assert.False(servers.Serves(Joined, "moonwalk", "aaa"));
        Assert.False(servers.Serves(Joined, "other", "bbb"));

        load.Update([]); // off the view: nothing known of it again
        Assert.False(servers.Serves(Joined, "moonwalk", "bbb"));
    }
}
