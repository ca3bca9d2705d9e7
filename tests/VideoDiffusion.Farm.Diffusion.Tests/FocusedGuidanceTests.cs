using VideoDiffusion.Farm.Diffusion.Sampling;

namespace VideoDiffusion.Farm.Diffusion.Tests;

public sealed class FocusedGuidanceTests
{
    // 2 channels × 2 frames × 3 cells, channel-major: [c][t][cell]
    private static readonly float[] Unconditional = [0, 0, 0, 1, 1, 1, 0, 0, 0, 2, 2, 2];
    private static readonly float[] Conditional = [3, 0, 0, 1, 1, 1, 4, 0, 2, 2, 2, 4];

    [Fact]
    public void FocusZeroIsPlainGuidance()
    {
        var plain = (float[])Conditional.Clone();
        var focused = (float[])Conditional.Clone();
        ClassifierFreeGuidance.Combine(Unconditional, plain, 4f);
        FocusedGuidance.Combine(Unconditional, focused, 4f, 0f, channels: 2, frames: 2);
        Assert.Equal(plain, focused);
    }

    [Fact]
    public void TheStrongestCellOfEachFrameGetsFullGuidanceTheOthersLessByTheirShare()
    {
        var v = (float[])Conditional.Clone();
        FocusedGuidance.Combine(Unconditional, v, 4f, 1f, channels: 2, frames: 2);
        // frame 0: |Δ| per cell = (5, 0, 2) → scales 4, 1, 1 + 3·0.4 = 2.2
        Assert.Equal(0f + 4f * 3f, v[0], 5);
        Assert.Equal(0f + 4f * 4f, v[6], 5);
        Assert.Equal(0f, v[1], 5);
        Assert.Equal(0f + 2.2f * 2f, v[8], 5);
        // frame 1: only cell 2 is pulled (|Δ| = 2): full scale there, the rest unchanged
        Assert.Equal(1f, v[3], 5);
        Assert.Equal(2f + 4f * 2f, v[11], 5);
    }

    [Fact]
    public void AHigherFocusLowersGuidanceAwayFromTheSubject()
    {
        var one = (float[])Conditional.Clone();
        var two = (float[])Conditional.Clone();
        FocusedGuidance.Combine(Unconditional, one, 4f, 1f, 2, 2);
        FocusedGuidance.Combine(Unconditional, two, 4f, 2f, 2, 2);
        Assert.Equal(one[0], two[0], 5); // the strongest cell keeps full guidance
        Assert.Equal(0f + (1f + 3f * 0.16f) * 2f, two[8], 5);
        Assert.True(two[8] < one[8]);
    }

    [Fact]
    public void AFrameThePromptDoesNotPullStaysUnconditional()
    {
        float[] u = [1, 2, 3, 4];
        var c = (float[])u.Clone();
        FocusedGuidance.Combine(u, c, 7f, 1f, channels: 1, frames: 1);
        Assert.Equal(u, c);
    }

    [Fact]
    public void ALayoutThatDoesNotSplitIsRefused() =>
        Assert.Throws<ArgumentException>(() => FocusedGuidance.Combine(new float[10], new float[10], 4f, 1f, channels: 3, frames: 1));
}
