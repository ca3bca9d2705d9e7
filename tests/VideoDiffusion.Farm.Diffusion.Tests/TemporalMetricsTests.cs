using VideoDiffusion.Farm.Diffusion.Planning;
using VideoDiffusion.Farm.Diffusion.Quality;
using VideoDiffusion.Farm.Diffusion.Tensors;

namespace VideoDiffusion.Farm.Diffusion.Tests;

public class TemporalMetricsTests
{
    private static RgbVideo Video(int frames, Func<int, byte> value)
    {
        var v = new RgbVideo(4, 4, frames);
        for (var t = 0; t < frames; t++)
        {
            v.Frame(t).Fill(value(t));
        }
        return v;
    }

    [Fact]
    public void FrameDifferencesAreMeanAbsoluteDifferences()
    {
        var d = TemporalMetrics.FrameDifferences(Video(3, t => (byte)(t * 10)));
        Assert.Equal([10.0, 10.0], d);
    }

    [Fact]
    public void ASeamAtAWindowBoundaryRaisesTheSeamRatio()
    {
        var plan = WindowPlanner.Plan(28, 16, 4);
        // brightness ramps by 1 per frame but jumps by 20 where window 1 starts (frame 12)
        var seamed = Video(28, t => (byte)(t + (t >= 12 ? 20 : 0)));
        var smooth = Video(28, t => (byte)t);
        // the jump of 20 shows in one of the five transitions across the switch: (4 × 1 + 21) / 5 = 5 against 1 elsewhere
        Assert.Equal(5.0, TemporalMetrics.Measure(seamed, plan, 1).SeamRatio, 6);
        Assert.Equal(1.0, TemporalMetrics.Measure(smooth, plan, 1).SeamRatio, 6);
    }

    [Fact]
    public void BoundariesSpanTheSwitchBetweenWindows()
    {
        var plan = WindowPlanner.Plan(28, 16, 4); // windows [0,16) and [12,28): overlap frames 12..15
        Assert.Equal([11, 12, 13, 14, 15], TemporalMetrics.BoundaryTransitions(plan, 1, 28));
        Assert.Equal(Enumerable.Range(47, 17), TemporalMetrics.BoundaryTransitions(plan, 4, 112));
        Assert.Equal([15], TemporalMetrics.BoundaryTransitions(WindowPlanner.Plan(32, 16, 0), 1, 32));
    }

    [Fact]
    public void ColourDriftComparesFirstAndLastTenth()
    {
        Assert.Equal(0, TemporalMetrics.ColourDrift(Video(20, _ => 50)));
        Assert.Equal(Math.Sqrt(3 * 100.0 * 100.0), TemporalMetrics.ColourDrift(Video(20, t => (byte)(t < 10 ? 0 : 100))), 6);
    }
}
