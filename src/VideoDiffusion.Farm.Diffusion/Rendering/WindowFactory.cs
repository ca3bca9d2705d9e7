using VideoDiffusion.Farm.Diffusion.Models;
using VideoDiffusion.Farm.Diffusion.Noise;
using VideoDiffusion.Farm.Diffusion.Planning;
using VideoDiffusion.Farm.Diffusion.Tensors;

namespace VideoDiffusion.Farm.Diffusion.Rendering;

/// <summary>Builds a window's starting state (noise and conditioning of its absolute frames): shared by every engine.</summary>
public static class WindowFactory
{
    public static LatentTensor NoiseFor(ModelManifest manifest, ulong seed, IReadOnlyList<int> frames)
    {
        var latent = manifest.Latent;
        return CounterNoise.ForFrames(seed, frames, latent.Channels, manifest.Video.Height / latent.SpatialFactor, manifest.Video.Width / latent.SpatialFactor);
    }

    public static WindowState Create(ModelManifest manifest, ulong seed, ConditioningPlanner conditioning, WindowSpan span, IReadOnlyList<int> absoluteFrames, float frameStride) =>
        new(span, NoiseFor(manifest, seed, absoluteFrames), conditioning.ForFrames(absoluteFrames), frameStride);
}
