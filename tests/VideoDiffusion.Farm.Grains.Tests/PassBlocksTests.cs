using VideoDiffusion.Farm.Grains.Placement;

namespace VideoDiffusion.Farm.Grains.Tests;

/// <summary>How a pass's windows are cut into per-silo blocks, with and without a keyframe chain beside the pass.</summary>
public sealed class PassBlocksTests
{
    private static int[] Sizes(int windows, int chainWindows, int silos)
    {
        var sizes = new int[silos];
        for (var i = 0; i < windows; i++)
        {
            sizes[PassBlocks.BlockOf(i, windows, chainWindows, silos)]++;
        }
        return sizes;
    }

    [Theory]
    [InlineData(40, 2, new[] { 20, 20 })]
    [InlineData(10, 4, new[] { 3, 2, 3, 2 })]
    [InlineData(5, 4, new[] { 2, 1, 1, 1 })]
    [InlineData(15, 1, new[] { 15 })]
    public void WithoutAChainBlocksAreEvenAndContiguous(int windows, int silos, int[] expected)
    {
        Assert.Equal(expected, Sizes(windows, 0, silos));
        var blocks = Enumerable.Range(0, windows).Select(i => PassBlocks.BlockOf(i, windows, 0, silos)).ToList();
        Assert.Equal(blocks.Order(), blocks);
    }

    [Theory]
    [InlineData(40, 5, 2, new[] { 22, 18 })]   // 45 windows' work: 22 main windows, and 18 beside the 5-window chain
    [InlineData(40, 5, 4, new[] { 12, 11, 10, 7 })] // the second block starts a window later, the third two, the chain's silo after five
    [InlineData(10, 1, 3, new[] { 4, 4, 2 })]
    public void BlocksShrinkDownTheClipAsTheChainReleasesThemLater(int windows, int chainWindows, int silos, int[] expected)
    {
        Assert.Equal(expected, Sizes(windows, chainWindows, silos));
        var blocks = Enumerable.Range(0, windows).Select(i => PassBlocks.BlockOf(i, windows, chainWindows, silos)).ToList();
        Assert.Equal(blocks.Order(), blocks);
    }

    [Theory]
    [InlineData(40, 5, 3)]
    [InlineData(150, 19, 4)]
    [InlineData(150, 19, 16)]
    [InlineData(150, 19, 64)] // the chain alone outweighs what 64 silos share: the chain's silo holds no main window
    [InlineData(600, 75, 16)]
    public void TheSilosFinishTogetherCountingWhenTheChainReleasesTheirBlocks(int windows, int chainWindows, int silos)
    {
        var sizes = Sizes(windows, chainWindows, silos);
        Assert.Equal(windows, sizes.Sum());
        Assert.Equal(sizes.SkipLast(1).OrderDescending(), sizes.SkipLast(1));
        // in window times from the first window's start: a block starts when the chain has released its first window
        var finishes = new List<long>();
        var start = 0;
        foreach (var size in sizes.SkipLast(1).Where(size => size > 0))
        {
            finishes.Add((long)start * chainWindows / windows + size);
            start += size;
        }
        var chainSilo = chainWindows + sizes[^1];
        Assert.InRange(finishes[0] - chainSilo, -1, 1);
        Assert.All(finishes, finish => Assert.InRange(finish, 0, Math.Max(finishes[0], chainSilo)));
    }

    [Fact]
    public void TheBlocksAreDescribedForEveryWindowOfAnAnchoredJob()
    {
        Assert.Equal("main/40/5", PassBlocks.Describe("main", 40, 5));
    }
}
