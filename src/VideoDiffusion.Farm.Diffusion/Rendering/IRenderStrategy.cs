using VideoDiffusion.Farm.Diffusion.Tensors;

namespace VideoDiffusion.Farm.Diffusion.Rendering;

/// <summary>One long-video strategy: turns a planned job into the clip's final latents.</summary>
public interface IRenderStrategy
{
    long WindowSteps(RenderJobSpec spec);

    LatentTensor Render(RenderContext context);
}
