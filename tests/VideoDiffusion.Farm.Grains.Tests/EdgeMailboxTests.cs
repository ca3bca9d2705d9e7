using VideoDiffusion.Farm.Abstractions.Protocol;
using VideoDiffusion.Farm.Grains.Windows;

namespace VideoDiffusion.Farm.Grains.Tests;

/// <summary>
/// A window's log of sent edges keeps what a neighbour resuming from its latest checkpoint can ask for, and no more:
/// the log is most of a window's memory (two overlaps a step, 2 MB each for a Wan-shaped window).
/// </summary>
public sealed class EdgeMailboxTests
{
    private const int Window = 5;
    private const int CheckpointEvery = 5;

    private static EdgeMailbox SentSteps(int steps)
    {
        var mailbox = new EdgeMailbox();
        mailbox.RestartLogAt(0);
        for (var step = 0; step < steps; step++)
        {
            mailbox.Sent(Window - 1, new EdgeMessage(step, Window, [step]));
            mailbox.Sent(Window + 1, new EdgeMessage(step, Window, [step]));
        }
        return mailbox;
    }

    private static int[] LoggedSteps(EdgeMailbox mailbox, int to) => mailbox.SentTo(to, afterStep: -1).Select(e => e.Step).ToArray();

    [Fact]
    public void EdgesOlderThanTheCheckpointBothNeighboursStoredAreDropped()
    {
        var mailbox = SentSteps(9);
        mailbox.Receive(new EdgeMessage(8, Window - 1, [0]));
        mailbox.Receive(new EdgeMessage(7, Window + 1, [0])); // both have stored their step-5 checkpoint

        mailbox.PruneBelowCheckpointsOf([Window - 1, Window + 1], CheckpointEvery);

        Assert.Equal([5, 6, 7, 8], LoggedSteps(mailbox, Window - 1));
        Assert.Equal([5, 6, 7, 8], LoggedSteps(mailbox, Window + 1));
        Assert.Equal(5, mailbox.LogFrom); // an ask for older edges makes the window rewind for it
    }

    [Fact]
    public void WithAPeriodOfOneOnlyTheEdgesNotYetUsedStay()
    {
        var mailbox = SentSteps(9);
        mailbox.Receive(new EdgeMessage(8, Window - 1, [0]));
        mailbox.Receive(new EdgeMessage(7, Window + 1, [0])); // it fused step 6: it still needs this window's step-7 and step-8 edges

        mailbox.PruneBelowCheckpointsOf([Window - 1, Window + 1], 1);

        Assert.Equal([7, 8], LoggedSteps(mailbox, Window + 1));
        Assert.Equal([7, 8], LoggedSteps(mailbox, Window - 1));
        Assert.Equal(7, mailbox.LogFrom);
    }

    [Fact]
    public void TheNeighbourFurthestBehindDecides()
    {
        var mailbox = SentSteps(9);
        mailbox.Receive(new EdgeMessage(8, Window - 1, [0]));
        mailbox.Receive(new EdgeMessage(4, Window + 1, [0])); // no checkpoint stored yet: it may resume from step 0

        mailbox.PruneBelowCheckpointsOf([Window - 1, Window + 1], CheckpointEvery);

        Assert.Equal(Enumerable.Range(0, 9), LoggedSteps(mailbox, Window + 1));
        Assert.Equal(0, mailbox.LogFrom);
    }

    [Fact]
    public void ANeighbourThatSentNothingYetKeepsTheWholeLog()
    {
        var mailbox = SentSteps(9);
        mailbox.Receive(new EdgeMessage(8, Window - 1, [0]));

        mailbox.PruneBelowCheckpointsOf([Window - 1, Window + 1], CheckpointEvery);

        Assert.Equal(Enumerable.Range(0, 9), LoggedSteps(mailbox, Window - 1));
    }

    [Fact]
    public void ANeighbourThatFinishedHasItsEdgesDroppedAndAnAskFromItRewinds()
    {
        var mailbox = SentSteps(9);

        mailbox.ForgetSentTo(Window + 1);

        Assert.Empty(LoggedSteps(mailbox, Window + 1));
        Assert.Equal(Enumerable.Range(0, 9), LoggedSteps(mailbox, Window - 1));
        Assert.Equal(int.MaxValue, mailbox.LogFromFor(Window + 1)); // any ask from it is for edges no longer here
        Assert.Equal(0, mailbox.LogFromFor(Window - 1));
    }

    [Fact]
    public void ARewoundWindowLogsForAFinishedNeighbourAgain()
    {
        var mailbox = SentSteps(9);
        mailbox.ForgetSentTo(Window + 1);

        mailbox.RestartLogAt(5);
        mailbox.Sent(Window + 1, new EdgeMessage(5, Window, [5]));

        Assert.Equal(5, mailbox.LogFromFor(Window + 1));
        Assert.Equal([5], LoggedSteps(mailbox, Window + 1));
    }

    [Fact]
    public void AMovedWindowKeepsWhatItDroppedForAFinishedNeighbour()
    {
        var mailbox = SentSteps(9);
        mailbox.ForgetSentTo(Window + 1);

        var moved = new EdgeMailbox();
        moved.Import(mailbox.Export());

        Assert.Equal(int.MaxValue, moved.LogFromFor(Window + 1));
        Assert.Equal(Enumerable.Range(0, 9), LoggedSteps(moved, Window - 1));
    }
}
