using VideoDiffusion.Farm.Diffusion.Noise;
using VideoDiffusion.Farm.Diffusion.Tensors;

namespace VideoDiffusion.Farm.Diffusion.Tests;

public class ContextFramesTests
{
    [Fact]
    public void GivenFramesReachTheDenoiserLayoutAsADenseContextWould()
    {
        var clean = CounterNoise.Frames(3, 0, 5, 4, 3, 2);
        var dense = new LatentTensor(5, 4, 3, 2);
        var sparse = new ContextFrames(5, 4, 3, 2);
        foreach (var t in new[] { 1, 4 })
        {
            clean.Frame(t).CopyTo(dense.Frame(t));
            sparse.Set(t, clean.Frame(t));
        }
        var expected = new float[dense.Data.Length];
        dense.CopyToChannelMajor(expected);
        var actual = new float[dense.Data.Length];
        sparse.CopyToChannelMajor(actual);

        Assert.Equal(expected, actual);
        Assert.Equal([0f, 1f, 0f, 0f, 1f], sparse.Mask);
        Assert.Null(sparse.Frame(0));
        Assert.Equal(clean.Frame(4).ToArray(), sparse.Frame(4));
    }

    [Fact]
    public void AFrameOfAnotherSizeIsRefused()
    {
        var sparse = new ContextFrames(5, 4, 3, 2);
        Assert.Throws<ArgumentException>(() => sparse.Set(0, new float[7]));
    }
}
