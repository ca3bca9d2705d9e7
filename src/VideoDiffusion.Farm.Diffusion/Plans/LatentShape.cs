using VideoDiffusion.Farm.Diffusion.Models;

namespace VideoDiffusion.Farm.Diffusion.Plans;

/// <summary>The model's latent geometry a plan needs: channels, spatial size and pixel frames per latent frame.</summary>
public sealed record LatentShape(int Channels, int Height, int Width, int TemporalFactor)
{
    public static LatentShape Of(ModelManifest manifest) => new(
        manifest.Latent.Channels,
        manifest.Video.Height / manifest.Latent.SpatialFactor,
        manifest.Video.Width / manifest.Latent.SpatialFactor,
        manifest.Latent.TemporalFactor);
}
