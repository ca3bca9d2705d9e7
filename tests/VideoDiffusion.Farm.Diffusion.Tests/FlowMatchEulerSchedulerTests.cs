using VideoDiffusion.Farm.Diffusion.Sampling;
using VideoDiffusion.Farm.Diffusion.Tensors;

namespace VideoDiffusion.Farm.Diffusion.Tests;

public class FlowMatchEulerSchedulerTests
{
    [Fact]
    public void UnshiftedScheduleIsLinearFromOneToZero()
    {
        var s = new FlowMatchEulerScheduler(4, 1f);
        Assert.Equal([1f, 0.75f, 0.5f, 0.25f, 0f], s.Timesteps);
    }

    [Fact]
    public void ShiftMatchesHandComputedValues()
    {
        // shift 3: t' = 3t / (1 + 2t); t = 0.5 -> 1.5 / 2 = 0.75; t = 0.25 -> 0.75 / 1.5 = 0.5; t = 0.75 -> 2.25 / 2.5 = 0.9
        var s = new FlowMatchEulerScheduler(4, 3f);
        Assert.Equal(1f, s.Timestep(0), 6);
        Assert.Equal(0.9f, s.Timestep(1), 6);
        Assert.Equal(0.75f, s.Timestep(2), 6);
        Assert.Equal(0.5f, s.Timestep(3), 6);
        Assert.Equal(0f, s.Timestep(4), 6);
    }

    [Fact]
    public void EulerStepMovesAlongTheVelocity()
    {
        var s = new FlowMatchEulerScheduler(4, 3f);
        var x = new LatentTensor(1, 1, 1, 2, [1f, -2f]);
        var v = new LatentTensor(1, 1, 1, 2, [2f, 4f]);
        s.Step(1, x, v); // dt = 0.75 - 0.9 = -0.15
        Assert.Equal(1f - 0.3f, x.Data[0], 5);
        Assert.Equal(-2f - 0.6f, x.Data[1], 5);
    }

    [Fact]
    public void ExactVelocityReachesTheDataInOneStep()
    {
        // x_t = (1 - t) x0 + t e, v = e - x0: from t = 1 straight to x0
        var s = new FlowMatchEulerScheduler(1, 1f);
        float x0 = 0.3f, e = -1.2f;
        var x = new LatentTensor(1, 1, 1, 1, [e]);
        s.Step(0, x, new LatentTensor(1, 1, 1, 1, [e - x0]));
        Assert.Equal(x0, x.Data[0], 6);
    }

    [Fact]
    public void ZeroStepsAreRefused() => Assert.Throws<ArgumentOutOfRangeException>(() => new FlowMatchEulerScheduler(0, 1f));

    [Fact]
    public void GuidanceCombinesAsDocumented()
    {
        float[] u = [1f, 2f];
        float[] c = [3f, 2f];
        ClassifierFreeGuidance.Combine(u, c, 4f);
        Assert.Equal([9f, 2f], c);
    }
}
