using VideoDiffusion.Farm.Abstractions;
using VideoDiffusion.Farm.Diffusion.Fusion;
using VideoDiffusion.Farm.Diffusion.Planning;
using VideoDiffusion.Farm.Diffusion.Rendering;

namespace VideoDiffusion.Farm.Grains.Jobs;

/// <summary>
/// Builds the core's request from the wire request: the one mapping between them. Defaults and validation stay in
/// the core (<see cref="RenderJobSpec.Resolve"/>).
/// </summary>
public static class JobRequestMapper
{
    public static RenderRequest ToRenderRequest(RenderJobRequest r) => new()
    {
        Prompt = r.Prompt,
        Storyboard = r.Storyboard is { } board ? new Storyboard(board) : null,
        Seconds = r.Seconds,
        Frames = r.Frames,
        Fps = r.Fps,
        Seed = r.Seed,
        Steps = r.Steps,
        Guidance = r.Guidance,
        GuidanceFocus = r.GuidanceFocus,
        MultiWindowGuidance = r.MultiWindowGuidance,
        Strategy = r.Strategy switch
        {
            JobStrategy.Keyframes => RenderStrategy.Keyframes,
            JobStrategy.Autoregressive => RenderStrategy.Autoregressive,
            _ => RenderStrategy.CoDenoise,
        },
        Window = r.Window,
        Overlap = r.Overlap,
        SyncEvery = r.SyncEvery,
        Blend = r.Blend switch
        {
            OverlapBlend.Flat => BlendMode.Flat,
            OverlapBlend.Cosine => BlendMode.Cosine,
            _ => BlendMode.Linear,
        },
        KeyframeStride = r.KeyframeStride,
        Anchors = r.Anchors switch
        {
            KeyframeAnchoring.Keyframes => KeyframeAnchors.Keyframes,
            KeyframeAnchoring.None => KeyframeAnchors.None,
            _ => KeyframeAnchors.Auto,
        },
        FirstFrame = r.FirstFrame,
    };
}
