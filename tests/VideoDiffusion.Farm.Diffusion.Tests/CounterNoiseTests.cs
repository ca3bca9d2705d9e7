using VideoDiffusion.Farm.Diffusion.Noise;
using VideoDiffusion.Farm.Diffusion.Planning;

namespace VideoDiffusion.Farm.Diffusion.Tests;

public class CounterNoiseTests
{
    [Fact]
    public void NoiseOfAFrameDoesNotDependOnTheWindowLayout()
    {
        const int frames = 70, c = 4, h = 3, w = 5;
        var whole = CounterNoise.Frames(7, 0, frames, c, h, w);
        foreach (var (window, overlap) in new[] { (16, 4), (8, 0), (32, 16), (5, 2) })
        {
            foreach (var span in WindowPlanner.Plan(frames, window, overlap).Windows)
            {
                var part = CounterNoise.Frames(7, span.Start, span.Length, c, h, w);
                Assert.Equal(whole.FrameRange(span.Start, span.Length).ToArray(), part.Data);
            }
        }
    }

    [Fact]
    public void FarFramesAreReproducibleAndSeedDependent()
    {
        Assert.Equal(CounterNoise.Sample(1, 1_000_000, 3, 2, 1), CounterNoise.Sample(1, 1_000_000, 3, 2, 1));
        Assert.NotEqual(CounterNoise.Sample(1, 1000, 0, 0, 0), CounterNoise.Sample(2, 1000, 0, 0, 0));
        Assert.NotEqual(CounterNoise.Sample(1, 1000, 0, 0, 0), CounterNoise.Sample(1, 1001, 0, 0, 0));
    }

    [Fact]
    public void FramesInAnyOrderHoldEachSampleOfTheirAbsoluteFrame()
    {
        int[] frames = [1000, 3, 17];
        var noise = CounterNoise.ForFrames(5, frames, 4, 3, 5);
        for (var t = 0; t < frames.Length; t++)
        {
            var i = 0;
            for (var c = 0; c < 4; c++)
            {
                for (var y = 0; y < 3; y++)
                {
                    for (var x = 0; x < 5; x++)
                    {
                        Assert.Equal(CounterNoise.Sample(5, frames[t], c, y, x), noise.Frame(t)[i++]);
                    }
                }
            }
        }
    }

    [Fact]
    public void NoiseIsStandardNormal()
    {
        var x = CounterNoise.Frames(3, 0, 200, 8, 8, 8).Data;
        var mean = x.Average();
        var variance = x.Select(v => (v - mean) * (v - mean)).Average();
        Assert.InRange(mean, -0.02, 0.02);
        Assert.InRange(variance, 0.97, 1.03);
        Assert.InRange(x.Count(v => Math.Abs(v) > 1.96f) / (double)x.Length, 0.045, 0.055);
        // neighbours in the counter are not correlated
        var corr = Enumerable.Range(0, x.Length - 1).Average(i => x[i] * x[i + 1]);
        Assert.InRange(corr, -0.02, 0.02);
    }
}
