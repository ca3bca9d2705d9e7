using VideoDiffusion.Farm.Diffusion.Tensors;

namespace VideoDiffusion.Farm.Diffusion.Sampling;

/// <summary>
/// Rectified-flow Euler sampler: t runs from 1 (noise) to 0 (data) on a schedule shifted as in Wan/SD3,
/// t' = s·t / (1 + (s − 1)·t), and each step is x ← x + (t_next − t)·v.
/// </summary>
public sealed class FlowMatchEulerScheduler
{
    private readonly float[] _timesteps;

    public FlowMatchEulerScheduler(int steps, float shift)
    {
        if (steps <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(steps), "steps must be at least 1");
        }
        if (shift <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(shift), "shift must be positive");
        }
        Steps = steps;
        _timesteps = new float[steps + 1];
        for (var i = 0; i <= steps; i++)
        {
            var t = 1.0 - (double)i / steps;
            _timesteps[i] = (float)(shift * t / (1.0 + (shift - 1.0) * t));
        }
    }

    public int Steps { get; }

    /// <summary>t at the start of step i (i = Steps is the end, 0).</summary>
    public float Timestep(int i) => _timesteps[i];

    public IReadOnlyList<float> Timesteps => _timesteps;

    public void Step(int i, LatentTensor sample, LatentTensor velocity)
    {
        var dt = _timesteps[i + 1] - _timesteps[i];
        var x = sample.Data;
        var v = velocity.Data;
        for (var k = 0; k < x.Length; k++)
        {
            x[k] += dt * v[k];
        }
    }
}
