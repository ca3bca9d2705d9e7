using VideoDiffusion.Farm.Diffusion.Planning;

namespace VideoDiffusion.Farm.Diffusion.Tests;

public class WindowPlannerTests
{
    [Fact]
    public void ClipShorterThanAWindowIsOneWindow()
    {
        var plan = WindowPlanner.Plan(10, 16, 4);
        Assert.Equal([new WindowSpan(0, 0, 10)], plan.Windows);
    }

    [Fact]
    public void ExactMultipleGivesFullWindowsWithTheAskedOverlap()
    {
        var plan = WindowPlanner.Plan(40, 16, 4);
        Assert.Equal([new WindowSpan(0, 0, 16), new WindowSpan(1, 12, 16), new WindowSpan(2, 24, 16)], plan.Windows);
        Assert.Equal(4, plan.OverlapAfter(0));
        Assert.Equal(4, plan.OverlapAfter(1));
    }

    [Fact]
    public void LastWindowIsAlignedToTheEnd()
    {
        var plan = WindowPlanner.Plan(30, 16, 4);
        Assert.Equal(30, plan.Windows[^1].End);
        Assert.All(Enumerable.Range(0, plan.Windows.Count - 1), i => Assert.Equal(4, plan.OverlapAfter(i)));
    }

    [Fact]
    public void OverlapZeroTilesTheClip()
    {
        var plan = WindowPlanner.Plan(48, 16, 0);
        Assert.Equal([0, 16, 32], plan.Windows.Select(w => w.Start));
        Assert.All(plan.Windows, w => Assert.Equal(16, w.Length));
    }

    [Fact]
    public void OverlapAboveHalfTheWindowIsRefused()
    {
        var e = Assert.Throws<PlanException>(() => WindowPlanner.Plan(100, 16, 9));
        Assert.Equal("overlap", e.Field);
        Assert.Contains("at most 8", e.Message);
    }

    [Theory]
    [InlineData(0, 16, 4, "frames")]
    [InlineData(10, 0, 0, "window")]
    [InlineData(10, 16, -1, "overlap")]
    public void BadInputsNameTheirField(int frames, int window, int overlap, string field) =>
        Assert.Equal(field, Assert.Throws<PlanException>(() => WindowPlanner.Plan(frames, window, overlap)).Field);

    [Fact]
    public void ShortRemainderRespectsTheModelMinimum()
    {
        var plan = WindowPlanner.Plan(29, 16, 2, minWindow: 4);
        Assert.True(plan.Windows[^1].Length >= 4);
        Assert.Equal(29, plan.Windows[^1].End);
    }

    [Theory]
    [InlineData(16, 4)]
    [InlineData(16, 8)]
    [InlineData(16, 0)]
    [InlineData(8, 3)]
    [InlineData(32, 16)]
    public void EveryFrameIsCoveredOnceOrTwiceForAllLengths(int window, int overlap)
    {
        for (var frames = 1; frames < 200; frames++)
        {
            var plan = WindowPlanner.Plan(frames, window, overlap, minWindow: Math.Min(4, frames));
            var cover = new int[frames];
            foreach (var w in plan.Windows)
            {
                Assert.InRange(w.Length, 1, window);
                for (var f = w.Start; f < w.End; f++)
                {
                    cover[f]++;
                }
            }
            Assert.All(cover, c => Assert.InRange(c, 1, 2));
            for (var i = 0; i + 1 < plan.Windows.Count; i++)
            {
                Assert.True(plan.OverlapAfter(i) >= overlap, $"frames {frames}: overlap {plan.OverlapAfter(i)} after window {i}");
            }
        }
    }
}
