namespace VideoDiffusion.Farm.Diffusion.Sampling;

/// <summary>
/// Classifier-free guidance whose scale follows the subject: per latent cell
/// <c>v = v_u + (1 + (g − 1)·(|Δ| / max|Δ|)^focus)·Δ</c>, with <c>Δ = v_c − v_u</c>, <c>|Δ|</c> its norm over the channels
/// and the maximum taken over the cells of the same frame.
/// </summary>
/// <remarks>
/// Plain guidance amplifies the prompt's pull everywhere at once; early in sampling that pull is smeared along the
/// whole ground, so several subjects grow. Scaling it by how strongly each cell is pulled, relative to the frame's
/// strongest, keeps full guidance where the subject forms and lets the rest follow the conditional prediction.
/// Focus 0 is plain guidance. Channel-major layout, as the denoiser's tensors: [channel][frame][cell].
/// </remarks>
public static class FocusedGuidance
{
    public static void Combine(ReadOnlySpan<float> unconditional, Span<float> conditional, float guidance, float focus, int channels, int frames)
    {
        if (focus == 0f)
        {
            ClassifierFreeGuidance.Combine(unconditional, conditional, guidance);
            return;
        }
        if (channels <= 0 || frames <= 0 || conditional.Length % (channels * frames) != 0 || unconditional.Length != conditional.Length)
        {
            throw new ArgumentException($"{conditional.Length} values do not split into {channels} channels × {frames} frames");
        }
        var cells = conditional.Length / (channels * frames);
        var frameSize = frames * cells;
        var strength = new float[cells];
        for (var f = 0; f < frames; f++)
        {
            Array.Clear(strength);
            for (var c = 0; c < channels; c++)
            {
                var offset = c * frameSize + f * cells;
                for (var k = 0; k < cells; k++)
                {
                    var d = conditional[offset + k] - unconditional[offset + k];
                    strength[k] += d * d;
                }
            }
            var strongest = 0f;
            for (var k = 0; k < cells; k++)
            {
                strength[k] = MathF.Sqrt(strength[k]);
                strongest = MathF.Max(strongest, strength[k]);
            }
            for (var k = 0; k < cells; k++)
            {
                // a frame the prompt does not pull at all has Δ = 0 everywhere, so any scale gives v_u there
                var relative = strongest > 0f ? strength[k] / strongest : 0f;
                strength[k] = 1f + (guidance - 1f) * MathF.Pow(relative, focus);
            }
            for (var c = 0; c < channels; c++)
            {
                var offset = c * frameSize + f * cells;
                for (var k = 0; k < cells; k++)
                {
                    var u = unconditional[offset + k];
                    conditional[offset + k] = u + strength[k] * (conditional[offset + k] - u);
                }
            }
        }
    }
}
