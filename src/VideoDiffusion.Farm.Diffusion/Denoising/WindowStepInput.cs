using VideoDiffusion.Farm.Diffusion.Sampling;
using VideoDiffusion.Farm.Diffusion.Tensors;
using VideoDiffusion.Farm.Diffusion.Text;

namespace VideoDiffusion.Farm.Diffusion.Denoising;

/// <summary>One window at one sampler step: everything the denoiser needs for a guided velocity.</summary>
public sealed record WindowStepInput(
    LatentTensor Sample,
    float Timestep,
    TextConditioning Conditional,
    TextConditioning Unconditional,
    GuidanceScale Guidance,
    float FrameStride = 1f,
    ContextFrames? Context = null)
{
    /// <summary>Window-steps batch together only when their tensors have the same shape.</summary>
    public (int Frames, int Tokens) BatchKey => (Sample.Frames, Conditional.Tokens);
}
