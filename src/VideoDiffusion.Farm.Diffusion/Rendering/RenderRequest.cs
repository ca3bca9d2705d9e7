using VideoDiffusion.Farm.Diffusion.Fusion;
using VideoDiffusion.Farm.Diffusion.Planning;

namespace VideoDiffusion.Farm.Diffusion.Rendering;

/// <summary>The long-video strategies (docs/architecture.md, "Strategies").</summary>
public enum RenderStrategy
{
    CoDenoise,
    Keyframes,
    Autoregressive,
}

/// <summary>Whether the windows of a co-denoise job are anchored on keyframes from a coarse first pass.</summary>
public enum KeyframeAnchors
{
    /// <summary>Anchor when the clip spans more than one window and the model takes context latents.</summary>
    Auto,
    Keyframes,
    None,
}

/// <summary>
/// What the core renders, built from the wire request in one place (the job request mapper); null fields take the
/// model's defaults.
/// </summary>
public sealed record RenderRequest
{
    public string? Prompt { get; init; }
    public Storyboard? Storyboard { get; init; }
    public double? Seconds { get; init; }

    /// <summary>Clip length in frames, instead of <see cref="Seconds"/>.</summary>
    public int? Frames { get; init; }
    public int? Fps { get; init; }
    public ulong Seed { get; init; } = 42;
    public int? Steps { get; init; }
    public float? Guidance { get; init; }

    /// <summary>Focused guidance (<see cref="Sampling.FocusedGuidance"/>); null takes the model's <c>guidance.focus</c>.</summary>
    public float? GuidanceFocus { get; init; }

    /// <summary>Guidance of the keyframe pass and of unanchored passes of several windows (autoregressive, plain co-denoise); null takes the model's <c>guidance.multiWindow</c>, else <see cref="Guidance"/>.</summary>
    public float? MultiWindowGuidance { get; init; }
    public RenderStrategy Strategy { get; init; } = RenderStrategy.CoDenoise;
    public int? Window { get; init; }
    public int? Overlap { get; init; }
    public int SyncEvery { get; init; } = 1;
    public BlendMode Blend { get; init; } = BlendMode.Linear;
    public int? KeyframeStride { get; init; }
    public KeyframeAnchors Anchors { get; init; } = KeyframeAnchors.Auto;

    /// <summary>
    /// Lay out the clip's opening frame with the model's first-frame model and continue the video from it; null uses
    /// it when the model has one, true refuses a model without one.
    /// </summary>
    public bool? FirstFrame { get; init; }

    /// <summary>Most window-steps in one denoiser call.</summary>
    public int MaxBatch { get; init; } = 8;
}
