using VideoDiffusion.Farm.Diffusion.Models;
using VideoDiffusion.Farm.Diffusion.Plans;
using VideoDiffusion.Farm.Diffusion.Rendering;
using VideoDiffusion.Farm.Grains.Placement;
using VideoDiffusion.Farm.Tests.Shared;

namespace VideoDiffusion.Farm.Grains.Tests;

/// <summary>How a pass's windows are cut into per-silo blocks, with and without a keyframe chain beside the pass.</summary>
public sealed class PassBlocksTests
{
    private static int[] Sizes(int windows, int chainWindows, int silos)
    {
        var sizes = new int[silos];
        for (var i = 0; i < windows; i++)
        {
            sizes[PassBlocks.SiloOf(i, windows, chainWindows, silos)]++;
        }
        return sizes;
    }

    [Fact]
    public void AChainOfOneWindowIsDoneBeforeThePassBelowStartsSoThatPassIsLaidOutAsIfAlone()
    {
        // a 10-minute clip of the Wan-shaped model: keyframe levels of 1, 3 and 19 windows above 150 main windows
        var wan = RenderJobSpec.Resolve(new RenderRequest { Prompt = "a red ball moving right on the beach", Seconds = 600 }, ModelManifestLoader.Load(RepositoryPaths.Model("synthetic-wan-shape")));
        var levels = JobPlanner.Passes(wan);
        var top = levels[0];
        Assert.True(top.Chained && top.Windows.Windows.Count == 1, "the top level is a chain of one window");
        var below = levels.Single(p => p.AnchorPass == top.Name);
        Assert.Equal(PassBlocks.Describe(below.Name, below.Windows.Windows.Count, 0), PassBlocks.Of(levels, below.Name));
        Assert.Equal(PassBlocks.Of(levels, below.Name), PassBlocks.Of(levels, top.Name)); // the chain's window goes by the same order
        Assert.All(Sizes(below.Windows.Windows.Count, 0, below.Windows.Windows.Count), n => Assert.Equal(1, n));

        // a keyframe chain of several windows runs beside the pass it anchors, which is laid out around it
        var moonwalk = ModelManifestLoader.Load(RepositoryPaths.MoonwalkTiny);
        var passes = JobPlanner.Passes(RenderJobSpec.Resolve(new RenderRequest { Prompt = "a yellow dog walking right on the moon", Seconds = 60 }, moonwalk));
        var chain = passes.Single(p => p.Chained);
        var main = passes.Single(p => p.AnchorPass == chain.Name);
        Assert.True(chain.Windows.Windows.Count > 1);
        Assert.Equal(PassBlocks.Describe(main.Name, main.Windows.Windows.Count, chain.Windows.Windows.Count), PassBlocks.Of(passes, main.Name));
    }

    [Theory]
    [InlineData(40, 2, new[] { 20, 20 })]
    [InlineData(10, 4, new[] { 3, 2, 3, 2 })]
    [InlineData(5, 4, new[] { 2, 1, 1, 1 })]
    [InlineData(15, 1, new[] { 15 })]
    public void WithoutAChainBlocksAreEvenAndContiguous(int windows, int silos, int[] expected)
    {
        Assert.Equal(expected, Sizes(windows, 0, silos));
        var blocks = Enumerable.Range(0, windows).Select(i => PassBlocks.SiloOf(i, windows, 0, silos)).ToList();
        Assert.Equal(blocks.Order(), blocks);
    }

    [Theory]
    [InlineData(40, 5, 2, new[] { 22, 18 })] // 45 windows' work: 22 main windows, and 18 beside the 5-window chain
    [InlineData(40, 5, 4, new[] { 12, 11, 11, 6 })] // the chain's silo: 5 + 6 window times, the others 11 or 12
    [InlineData(150, 19, 4, new[] { 43, 42, 42, 23 })]
    [InlineData(150, 19, 16, new[] { 12, 9, 9, 12, 9, 9, 12, 9, 9, 12, 9, 9, 12, 9, 9, 0 })] // the chain alone outweighs a share
    [InlineData(10, 1, 3, new[] { 4, 3, 3 })]
    public void TheChainsSiloHoldsWhatLeavesItFinishingWithTheOthers(int windows, int chainWindows, int silos, int[] expected)
    {
        var sizes = Sizes(windows, chainWindows, silos);
        Assert.Equal(expected, sizes);
        // its windows are the pass's last, the last the chain releases
        var chainSilo = Enumerable.Range(0, windows).Where(i => PassBlocks.SiloOf(i, windows, chainWindows, silos) == silos - 1).ToList();
        Assert.Equal(Enumerable.Range(windows - sizes[^1], sizes[^1]), chainSilo);
    }

    [Theory]
    [InlineData(2, 30)]
    [InlineData(2, 400)]
    public void TwoSilosSplitThePassIntoTwoBlocksTheChainsBeingSmallerByTheChain(int silos, int maxWindows)
    {
        for (var windows = 2; windows <= maxWindows; windows++)
        {
            for (var chainWindows = 1; chainWindows < windows; chainWindows++)
            {
                var blocks = Enumerable.Range(0, windows).Select(i => PassBlocks.SiloOf(i, windows, chainWindows, silos)).ToList();
                Assert.Equal(blocks.Order(), blocks);
                var first = blocks.Count(b => b == 0);
                Assert.Equal((windows + chainWindows) / 2, first); // 22 of 40 beside a chain of 5: 22 + 0 = 18 + 5 − 1
            }
        }
    }

    [Theory]
    [InlineData(150, 19, 4)]
    [InlineData(150, 19, 16)]
    [InlineData(600, 75, 16)]
    [InlineData(150, 19, 64)]
    public void EverySiloBesideTheChainHasWindowsNearTheFrontAndAnEvenShare(int windows, int chainWindows, int silos)
    {
        var sizes = Sizes(windows, chainWindows, silos);
        var front = sizes.SkipLast(1).ToList();
        Assert.InRange(front.Max() - front.Min(), 0, 1 + (windows / chainWindows)); // within a chunk
        // the chain releases about windows ÷ chainWindows windows per chain window: every silo beside it has a window
        // among those of its first (silos − 1) chain windows
        var releasedEarly = (int)Math.Ceiling((double)windows / chainWindows * (silos - 1)) + 1;
        var early = Enumerable.Range(0, Math.Min(releasedEarly, windows)).Select(i => PassBlocks.SiloOf(i, windows, chainWindows, silos)).ToHashSet();
        Assert.All(Enumerable.Range(0, Math.Min(silos - 1, windows)), silo => Assert.Contains(silo, early));
        // overlaps cross silos only at chunk ends: a few per silo, not one per window
        var crossings = Enumerable.Range(1, windows - 1).Count(i => PassBlocks.SiloOf(i, windows, chainWindows, silos) != PassBlocks.SiloOf(i - 1, windows, chainWindows, silos));
        Assert.InRange(crossings, sizes.Count(size => size > 0) - 1, silos + (4 * chainWindows));
    }

    [Fact]
    public void TheBlocksAreDescribedForEveryWindowOfAnAnchoredJob()
    {
        Assert.Equal("main/40/5", PassBlocks.Describe("main", 40, 5));
    }
}
