using VideoDiffusion.Farm.Abstractions;
using VideoDiffusion.Farm.Diffusion.Planning;
using VideoDiffusion.Farm.Diffusion.Rendering;

namespace VideoDiffusion.Farm.Grains.Jobs;

/// <summary>Maps the wire request to the diffusion core's request (defaults and validation stay in the core).</summary>
public static class JobRequestMapper
{
    public static RenderRequest ToRenderRequest(RenderJobRequest r) => new()
    {
        Prompt = r.Prompt,
        Storyboard = r.Storyboard is { } board ? new Storyboard(board.Select(s => new StoryboardSegment(s.Prompt, s.From, s.To)).ToList()) : null,
        Seconds = r.Seconds,
        Fps = r.Fps,
        Seed = r.Seed,
        Steps = r.Steps,
        Guidance = r.Guidance,
        GuidanceFocus = r.GuidanceFocus,
        Strategy = RenderNames.ParseStrategy(r.Strategy),
        Window = r.Window,
        Overlap = r.Overlap,
        SyncEvery = r.SyncEvery,
        Blend = RenderNames.ParseBlend(r.Blend),
        KeyframeStride = r.KeyframeStride,
        Anchors = RenderNames.ParseAnchors(r.Anchors),
        FirstFrame = r.FirstFrame,
    };

    public static RenderJobRequest FromRenderRequest(RenderRequest r, string model, string format, int scale) => new()
    {
        Prompt = r.Prompt,
        Storyboard = r.Storyboard?.Segments.Select(s => new StoryboardSegmentDto(s.Prompt, s.From, s.To)).ToList(),
        Seconds = r.Seconds,
        Fps = r.Fps,
        Seed = r.Seed,
        Steps = r.Steps,
        Guidance = r.Guidance,
        GuidanceFocus = r.GuidanceFocus,
        Strategy = RenderNames.Name(r.Strategy),
        Window = r.Window,
        Overlap = r.Overlap,
        SyncEvery = r.SyncEvery,
        Blend = r.Blend.ToString().ToLowerInvariant(),
        KeyframeStride = r.KeyframeStride,
        Anchors = RenderNames.Name(r.Anchors),
        FirstFrame = r.FirstFrame,
        Model = model,
        Format = format,
        Scale = scale,
    };
}
