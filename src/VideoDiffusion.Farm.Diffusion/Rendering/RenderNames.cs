using VideoDiffusion.Farm.Diffusion.Fusion;
using VideoDiffusion.Farm.Diffusion.Planning;

namespace VideoDiffusion.Farm.Diffusion.Rendering;

/// <summary>The user-facing names of strategies and blend modes (CLI, API), parsed in one place.</summary>
public static class RenderNames
{
    public static RenderStrategy ParseStrategy(string value) => value.ToLowerInvariant() switch
    {
        "co-denoise" or "codenoise" => RenderStrategy.CoDenoise,
        "keyframes" => RenderStrategy.Keyframes,
        "autoregressive" => RenderStrategy.Autoregressive,
        _ => throw new PlanException("strategy", $"unknown strategy '{value}' (co-denoise, keyframes, autoregressive)"),
    };

    public static BlendMode ParseBlend(string value) => value.ToLowerInvariant() switch
    {
        "flat" => BlendMode.Flat,
        "linear" => BlendMode.Linear,
        "cosine" => BlendMode.Cosine,
        _ => throw new PlanException("blend", $"unknown blend '{value}' (flat, linear, cosine)"),
    };

    public static KeyframeAnchors ParseAnchors(string value) => value.ToLowerInvariant() switch
    {
        "auto" => KeyframeAnchors.Auto,
        "keyframes" => KeyframeAnchors.Keyframes,
        "none" => KeyframeAnchors.None,
        _ => throw new PlanException("anchors", $"unknown anchors '{value}' (auto, keyframes, none)"),
    };

    public static string Name(KeyframeAnchors anchors) => anchors.ToString().ToLowerInvariant();

    public static string Name(RenderStrategy strategy) => strategy switch
    {
        RenderStrategy.CoDenoise => "co-denoise",
        RenderStrategy.Keyframes => "keyframes",
        _ => "autoregressive",
    };
}
