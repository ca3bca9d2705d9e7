namespace VideoDiffusion.Farm.Diffusion.Sampling;

/// <summary>How strongly a job is guided: the classifier-free scale and its focus (<see cref="FocusedGuidance"/>; 0 is plain).</summary>
public readonly record struct GuidanceScale(float Scale, float Focus)
{
    /// <summary>Writes the guided velocity into <paramref name="conditional"/> (channel-major window data).</summary>
    public void Combine(ReadOnlySpan<float> unconditional, Span<float> conditional, int channels, int frames) =>
        FocusedGuidance.Combine(unconditional, conditional, Scale, Focus, channels, frames);
}
