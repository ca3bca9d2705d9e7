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
    [InlineData(40, 5, 4, new[] { 12, 11, 11, 6 })]
    [InlineData(150, 19, 16, new[] { 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 0 })] // the chain alone outweighs a share
    public void TheLastBlockIsSmallerByTheChainBesideIt(int windows, int chainWindows, int silos, int[] expected)
    {
        Assert.Equal(expected, Sizes(windows, chainWindows, silos));
        var blocks = Enumerable.Range(0, windows).Select(i => PassBlocks.BlockOf(i, windows, chainWindows, silos)).ToList();
        Assert.Equal(blocks.Order(), blocks);
    }

    [Fact]
    public void TheBlocksAreDescribedForEveryWindowOfAnAnchoredJob()
    {
        Assert.Equal("main/40/5", PassBlocks.Describe("main", 40, 5));
    }
}
