using System.Text.Json.Serialization;
using VideoDiffusion.Farm.Requests;

namespace VideoDiffusion.Farm.Abstractions;

/// <summary>
/// A render request: the body of <c>POST /v1/jobs</c>, what the CLI sends and what travels to the job grain. Give a
/// prompt or a storyboard; null fields take the model's defaults. The job grain checks it against the model.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record RenderJobRequest
{
    /// <summary>What the video shows (or give <see cref="Storyboard"/>).</summary>
    [Id(0)] public string? Prompt { get; init; }

    /// <summary>Prompts for consecutive spans of seconds, starting at 0, without gaps or overlaps.</summary>
    [Id(1)] public IReadOnlyList<StoryboardSegment>? Storyboard { get; init; }

    /// <summary>Clip length (default 4, or the storyboard's end).</summary>
    [Id(2)] public double? Seconds { get; init; }

    /// <summary>Clip length in frames, instead of <see cref="Seconds"/>.</summary>
    [Id(21)] public int? Frames { get; init; }
    [Id(3)] public int? Fps { get; init; }
    [Id(4)] public ulong Seed { get; init; } = 42;

    /// <summary>Sampler steps.</summary>
    [Id(5)] public int? Steps { get; init; }

    /// <summary>Classifier-free guidance scale.</summary>
    [Id(6)] public float? Guidance { get; init; }

    /// <summary>Focused guidance, 0 (plain) to 8.</summary>
    [Id(19)] public float? GuidanceFocus { get; init; }

    /// <summary>Guidance of the keyframe pass and of unanchored passes of several windows (autoregressive, plain co-denoise); default: the model's.</summary>
    [Id(22)] public float? MultiWindowGuidance { get; init; }
    [Id(7)] public JobStrategy Strategy { get; init; } = JobStrategy.CoDenoise;

    /// <summary>Window length in latent frames.</summary>
    [Id(8)] public int? Window { get; init; }

    /// <summary>Latent frames shared by neighbouring windows, at most window/2 (default window/4).</summary>
    [Id(9)] public int? Overlap { get; init; }

    /// <summary>Fuse overlaps every N steps; 0 fuses only at the end.</summary>
    [Id(10)] public int SyncEvery { get; init; } = 1;
    [Id(11)] public OverlapBlend Blend { get; init; } = OverlapBlend.Linear;

    /// <summary>Latent frames between keyframes.</summary>
    [Id(12)] public int? KeyframeStride { get; init; }

    /// <summary>Whether a keyframe pass anchors the windows.</summary>
    [Id(18)] public KeyframeAnchoring Anchors { get; init; } = KeyframeAnchoring.Auto;

    /// <summary>Lay out the opening frame with the model's first-frame model; null: when the model has one.</summary>
    [Id(20)] public bool? FirstFrame { get; init; }
    [Id(13)] public string Model { get; init; } = "moonwalk-tiny";

    /// <summary>One of <see cref="VideoFormats.All"/>.</summary>
    [Id(14)] public string Format { get; init; } = VideoFormats.Mp4;

    /// <summary>Pixel upscale factor of the encoded video.</summary>
    [Id(15)] public int Scale { get; init; } = 4;

    /// <summary>-10 to 10.</summary>
    [Id(16)] public int Priority { get; init; }

    /// <summary>The tenant the job runs for: set by the cluster from the API key, never by the caller.</summary>
    [Id(17), JsonIgnore] public string Tenant { get; init; } = "local";
}
