using VideoDiffusion.Farm.Diffusion.Fusion;
using VideoDiffusion.Farm.Diffusion.Planning;
using VideoDiffusion.Farm.Diffusion.Rendering;
using VideoDiffusion.Farm.Diffusion.Tensors;

namespace VideoDiffusion.Farm.Diffusion.Tests;

public class OverlapFusionTests
{
    [Theory]
    [InlineData(BlendMode.Flat)]
    [InlineData(BlendMode.Linear)]
    [InlineData(BlendMode.Cosine)]
    public void WeightsSumToOneAndRampTowardsTheRightWindow(BlendMode mode)
    {
        for (var overlap = 1; overlap <= 16; overlap++)
        {
            float previous = 0;
            for (var j = 0; j < overlap; j++)
            {
                var w = OverlapFusion.RightWeight(mode, j, overlap);
                Assert.InRange(w, 0f, 1f);
                Assert.Equal(1f, w + (1f - w), 6);
                Assert.True(w >= previous, "the right window's weight never decreases across the overlap");
                previous = w;
            }
        }
    }

    [Fact]
    public void LinearAndCosineAreSymmetricAboutTheMiddle()
    {
        for (var j = 0; j < 8; j++)
        {
            Assert.Equal(1f, OverlapFusion.RightWeight(BlendMode.Linear, j, 8) + OverlapFusion.RightWeight(BlendMode.Linear, 7 - j, 8), 5);
            Assert.Equal(1f, OverlapFusion.RightWeight(BlendMode.Cosine, j, 8) + OverlapFusion.RightWeight(BlendMode.Cosine, 7 - j, 8), 5);
        }
    }

    [Theory]
    [InlineData(BlendMode.Flat)]
    [InlineData(BlendMode.Linear)]
    [InlineData(BlendMode.Cosine)]
    public void FusedOverlapIsIdenticalComputedFromEitherSide(BlendMode mode)
    {
        var plan = WindowPlanner.Plan(28, 16, 4);
        var random = new Random(5);
        LatentTensor Window() => new(16, 3, 2, 2, Enumerable.Range(0, 16 * 12).Select(_ => (float)random.NextDouble()).ToArray());
        var left = Window();
        var right = Window();
        // each side fuses from its own copy plus the neighbour's edge frames, as two silos would
        var leftCopy = left.Clone();
        var rightCopy = right.Clone();
        ClipAssembler.FusePair(plan, leftCopy, right.Clone(), 0, mode);
        ClipAssembler.FusePair(plan, left.Clone(), rightCopy, 0, mode);
        Assert.Equal(leftCopy.FrameRange(12, 4).ToArray(), rightCopy.FrameRange(0, 4).ToArray());
        Assert.Equal(left.FrameRange(0, 12).ToArray(), leftCopy.FrameRange(0, 12).ToArray());
    }

    [Fact]
    public void FlatFusionIsTheMean()
    {
        float[] left = [2, 4], right = [6, 8];
        var fused = new float[2];
        OverlapFusion.Fuse(left, right, fused, 2, BlendMode.Flat);
        Assert.Equal([4f, 6f], fused);
    }

    [Fact]
    public void FusionInPlaceEqualsFusionIntoAFreshBuffer()
    {
        float[] left = [1, 2, 3, 4, 5, 6], right = [6, 5, 4, 3, 2, 1];
        var fresh = new float[6];
        OverlapFusion.Fuse(left, right, fresh, 3, BlendMode.Cosine);
        var inPlace = (float[])right.Clone();
        OverlapFusion.Fuse(left, inPlace, inPlace, 3, BlendMode.Cosine);
        Assert.Equal(fresh, inPlace);
    }
}
