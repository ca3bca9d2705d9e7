using System.Net;
using Orleans.Runtime;
using VideoDiffusion.Farm.Grains.Placement;
using VideoDiffusion.Farm.Grains.Windows;

namespace VideoDiffusion.Farm.Grains.Tests;

/// <summary>
/// A silo counts as joined when windows were running as it became active, however the first view that shows it looks,
/// and stops counting once it holds its share.
/// </summary>
public sealed class SiloJoinsTests
{
    private static readonly SiloAddress First = SiloAddress.New(IPAddress.Loopback, 11111, 1);
    private static readonly SiloAddress Second = SiloAddress.New(IPAddress.Loopback, 11112, 1);
    private static readonly SiloAddress Third = SiloAddress.New(IPAddress.Loopback, 11113, 1);

    private static SiloLoad Load(SiloAddress silo, int windows) => new(silo, Slots: 1, windows, Draining: false, Models: "m");

    [Fact]
    public void ASiloUpBeforeTheJobIsNotJoinedEvenWhenTheFirstViewShowingItFindsItWithoutWindows()
    {
        var joins = new SiloJoins();
        joins.Arrived(First, windowsRunning: false);
        joins.Arrived(Second, windowsRunning: false);

        // the first view comes after a job started: the second silo's block has not been reached yet
        Assert.Empty(joins.Judge([Load(First, 6), Load(Second, 0)]));
        Assert.False(joins.Joined(Second));
    }

    [Fact]
    public void ASiloThatArrivesWhileWindowsRunIsJoinedUntilItHoldsItsShare()
    {
        var joins = new SiloJoins();
        joins.Arrived(First, windowsRunning: false);
        Assert.Empty(joins.Judge([Load(First, 8)]));

        // in the view before the membership watch saw it arrive: judged later, not taken for a silo that was always there
        Assert.Empty(joins.Judge([Load(First, 8), Load(Second, 0)]));
        joins.Arrived(Second, windowsRunning: true);
        joins.Arrived(Second, windowsRunning: false); // only the first sighting counts
        Assert.Equal([Second], joins.Judge([Load(First, 8), Load(Second, 0)]));
        Assert.True(joins.Joined(Second));

        Assert.Empty(joins.Judge([Load(First, 6), Load(Second, 2)]));
        Assert.True(joins.Joined(Second)); // 2 of a share of 4
        Assert.Empty(joins.Judge([Load(First, 4), Load(Second, 4)]));
        Assert.False(joins.Joined(Second));
    }

    [Fact]
    public void ASiloJudgedOnceIsNotJoinedAgainWhenItLaterHoldsNoWindows()
    {
        var joins = new SiloJoins();
        joins.Arrived(First, windowsRunning: false);
        joins.Arrived(Third, windowsRunning: true);
        Assert.Equal([Third], joins.Judge([Load(First, 4), Load(Third, 0)]));
        Assert.Empty(joins.Judge([Load(First, 2), Load(Third, 2)]));
        Assert.False(joins.Joined(Third));

        Assert.Empty(joins.Judge([Load(First, 3), Load(Third, 0)]));
        Assert.False(joins.Joined(Third));
    }
}
