using System.Net;
using Orleans.Runtime;
using VideoDiffusion.Farm.Grains.Windows;

namespace VideoDiffusion.Farm.Grains.Tests;

/// <summary>
/// A silo's register of movable windows: each is asked once, and a window asked to move counts as leaving until its
/// run ends, so the balancer does not send the same surplus again while the farm's view still shows it here.
/// </summary>
public sealed class WindowMovesTests
{
    private static readonly SiloAddress Target = SiloAddress.New(IPAddress.Loopback, 11111, 1);

    [Fact]
    public void AWindowAskedToMoveCountsAsLeavingUntilItsRunEnds()
    {
        var moves = new WindowMoves();
        var asked = new List<string>();
        var first = moves.Register("w/1", _ => asked.Add("w/1"), _ => true);
        var second = moves.Register("w/2", _ => asked.Add("w/2"), _ => true);

        Assert.Equal([Target], moves.RequestMoves([Target]));

        Assert.Equal(["w/2"], asked); // the most recently started goes first
        Assert.Equal(1, moves.Count);
        Assert.Equal(1, moves.Leaving);
        second.Dispose();
        Assert.Equal(0, moves.Leaving);
        first.Dispose();
        Assert.Equal(0, moves.Count);
        Assert.Equal(0, moves.Leaving);
    }

    [Fact]
    public void AWindowThatEndsWithoutBeingAskedIsNeverLeaving()
    {
        var moves = new WindowMoves();
        var registration = moves.Register("w/1", _ => { }, _ => false);

        Assert.Empty(moves.RequestMoves([Target])); // it does not accept that silo
        registration.Dispose();
        registration.Dispose();

        Assert.Equal(0, moves.Count);
        Assert.Equal(0, moves.Leaving);
    }

    [Fact]
    public void APinnedWindowLeavesOnlyWhenTheSiloStops()
    {
        var moves = new WindowMoves();
        var asked = new List<string>();
        using var main = moves.Register("main/1", _ => asked.Add("main/1"), _ => true);
        using var chain = moves.Register("key/1", _ => asked.Add("key/1"), _ => true, pinned: true);

        Assert.Equal([Target], moves.RequestMoves([Target, Target])); // the balancer: the chain's window stays
        Assert.Equal(["main/1"], asked);
        Assert.Equal([Target], moves.RequestMoves([Target], stopping: true)); // a stopping silo hands it over too
        Assert.Equal(["main/1", "key/1"], asked);
    }
}
