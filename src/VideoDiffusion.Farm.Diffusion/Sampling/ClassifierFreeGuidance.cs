namespace VideoDiffusion.Farm.Diffusion.Sampling;

/// <summary>v = v_u + g·(v_c − v_u), written into the conditional half.</summary>
public static class ClassifierFreeGuidance
{
    public static void Combine(ReadOnlySpan<float> unconditional, Span<float> conditional, float guidance)
    {
        for (var i = 0; i < conditional.Length; i++)
        {
            conditional[i] = unconditional[i] + guidance * (conditional[i] - unconditional[i]);
        }
    }
}
