using VideoDiffusion.Farm.Diffusion.Denoising;
using VideoDiffusion.Farm.Diffusion.Tensors;

namespace VideoDiffusion.Farm.Diffusion.Rendering;

/// <summary>
/// What an engine plugs into <see cref="WindowStepLoop"/>: how guided velocities are predicted (a local batched
/// denoiser, or a silo's shared executor), how overlaps are fused (in memory, or by exchanging edges with neighbouring
/// grains) and what happens after each step (progress, checkpoints).
/// </summary>
public interface IWindowStepper
{
    /// <summary>Guided velocities for the windows' inputs at one step, in order.</summary>
    ValueTask<IReadOnlyList<LatentTensor>> PredictAsync(IReadOnlyList<WindowStepInput> inputs, CancellationToken cancellation);

    /// <summary>Fuses the overlaps after step <paramref name="step"/> (the step count: after sampling).</summary>
    ValueTask FuseAsync(int step, CancellationToken cancellation);

    /// <summary>Told after step <paramref name="step"/> (and its fusion) is done.</summary>
    ValueTask SteppedAsync(int step, CancellationToken cancellation);
}
