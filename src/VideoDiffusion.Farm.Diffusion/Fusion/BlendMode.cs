namespace VideoDiffusion.Farm.Diffusion.Fusion;

/// <summary>How the two windows sharing an overlap are weighted.</summary>
public enum BlendMode
{
    /// <summary>Equal weights.</summary>
    Flat,

    /// <summary>The right window's weight ramps linearly across the overlap.</summary>
    Linear,

    /// <summary>A raised-cosine ramp: smooth at both ends of the overlap.</summary>
    Cosine,
}
