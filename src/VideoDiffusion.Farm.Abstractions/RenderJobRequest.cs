namespace VideoDiffusion.Farm.Abstractions;

/// <summary>A storyboard segment as it travels between client and cluster: a prompt for seconds [From, To).</summary>
[GenerateSerializer, Immutable]
public sealed record StoryboardSegmentDto([property: Id(0)] string Prompt, [property: Id(1)] double From, [property: Id(2)] double To);

/// <summary>A render request as submitted to the farm; null fields take the model's defaults.</summary>
[GenerateSerializer, Immutable]
public sealed record RenderJobRequest
{
    [Id(0)] public string? Prompt { get; init; }
    [Id(1)] public IReadOnlyList<StoryboardSegmentDto>? Storyboard { get; init; }
    [Id(2)] public double? Seconds { get; init; }
    [Id(3)] public int? Fps { get; init; }
    [Id(4)] public ulong Seed { get; init; } = 42;
    [Id(5)] public int? Steps { get; init; }
    [Id(6)] public float? Guidance { get; init; }

    /// <summary><c>co-denoise</c>, <c>keyframes</c> or <c>autoregressive</c>.</summary>
    [Id(7)] public string Strategy { get; init; } = "co-denoise";
    [Id(8)] public int? Window { get; init; }
    [Id(9)] public int? Overlap { get; init; }
    [Id(10)] public int SyncEvery { get; init; } = 1;

    /// <summary><c>flat</c>, <c>linear</c> or <c>cosine</c>.</summary>
    [Id(11)] public string Blend { get; init; } = "linear";
    [Id(12)] public int? KeyframeStride { get; init; }
    [Id(13)] public string Model { get; init; } = "moonwalk-tiny";

    /// <summary><c>mp4</c> or <c>y4m</c>.</summary>
    [Id(14)] public string Format { get; init; } = "mp4";
    [Id(15)] public int Scale { get; init; } = 4;
    [Id(16)] public int Priority { get; init; }
    [Id(17)] public string Tenant { get; init; } = "local";

    /// <summary><c>auto</c>, <c>keyframes</c> or <c>none</c>: whether a keyframe pass anchors the windows.</summary>
    [Id(18)] public string Anchors { get; init; } = "auto";

    /// <summary>Focused guidance, 0 (plain) to 8; null takes the model's.</summary>
    [Id(19)] public float? GuidanceFocus { get; init; }

    /// <summary>Lay out the opening frame with the model's first-frame model; null: when the model has one.</summary>
    [Id(20)] public bool? FirstFrame { get; init; }
}
