using System.Net;
using Orleans.Runtime;
using VideoDiffusion.Farm.Grains.Placement;
using VideoDiffusion.Farm.Grains.Windows;

namespace VideoDiffusion.Farm.Grains.Tests;

/// <summary>Which windows the balancer moves for a view of the farm.</summary>
public sealed class WindowSpreadTests
{
    private static SiloLoad Silo(int port, int windows, int slots = 1, int chained = 0) =>
        new(SiloAddress.New(IPAddress.Loopback, port, 1), slots, windows, false, "", chained);

    [Fact]
    public void TheLastWindowsOfAJobLeaveTheSiloThatHoldsThemForSilosThatHoldOne()
    {
        // a job's end after a scale-out: the keyframe chain's silo holds the windows it released last
        var silos = new[] { Silo(1, 12) }.Concat(Enumerable.Range(2, 15).Select(p => Silo(p, 1))).ToList();
        var moves = WindowSpread.Moves(silos, _ => true);
        Assert.Equal(10, moves.Count); // 27 windows on 16 slots: at most 2 each
        Assert.All(moves, m => Assert.Equal(silos[0].Address, m.From));
        Assert.Equal(10, moves.Select(m => m.To).Distinct().Count());
    }

    [Theory]
    [InlineData(new[] { 2, 1, 1 })]
    [InlineData(new[] { 5, 4, 4, 4 })]
    [InlineData(new[] { 0, 1, 0, 1 })]
    public void SilosWithinAWindowOfEachOtherAreLeftAlone(int[] windows)
    {
        var silos = windows.Select((w, i) => Silo(100 + i, w)).ToList();
        Assert.Empty(WindowSpread.Moves(silos, _ => true));
    }

    [Fact]
    public void OnlySilosAllowedToReceiveTakeWindowsAndNoneIsFilledPastItsShare()
    {
        var silos = new List<SiloLoad> { Silo(1, 20, slots: 2), Silo(2, 0), Silo(3, 0), Silo(4, 2, slots: 2) };
        var joined = silos[1].Address;
        var moves = WindowSpread.Moves(silos, s => s.Equals(joined));
        Assert.Equal(4, moves.Count); // 22 windows on 6 slots: a share of 4 a slot
        Assert.All(moves, m => Assert.Equal((silos[0].Address, joined), m));
    }

    [Fact]
    public void ASiloRunningAKeyframeChainTakesNoWindowsAndItsOthersLeave()
    {
        // after a join: the chain's one-slot silo also holds three main-pass windows; the others hold two each
        var silos = new List<SiloLoad> { Silo(1, 4, chained: 1), Silo(2, 2), Silo(3, 0), Silo(4, 0) };
        var moves = WindowSpread.Moves(silos, _ => true);
        Assert.Equal(3, moves.Count); // 5 other windows on 3 open slots: at most 2 each
        Assert.All(moves, m => Assert.Equal(silos[0].Address, m.From));
        Assert.DoesNotContain(moves, m => m.To.Equals(silos[0].Address));

        // alone with its chain, it is not sent windows however empty it looks
        var idle = new List<SiloLoad> { Silo(1, 1, chained: 1), Silo(2, 6), Silo(3, 2) };
        Assert.DoesNotContain(WindowSpread.Moves(idle, _ => true), m => m.To.Equals(idle[0].Address));
    }
}
