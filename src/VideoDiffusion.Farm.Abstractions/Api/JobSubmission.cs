using System.Text.Json.Serialization;

namespace VideoDiffusion.Farm.Abstractions.Api;

/// <summary>The body of <c>POST /v1/jobs</c>: a prompt or a storyboard and optional settings (null = the model's default).</summary>
public sealed record JobSubmission
{
    public string? Prompt { get; init; }
    public IReadOnlyList<StoryboardSegmentView>? Storyboard { get; init; }
    public double? Seconds { get; init; }
    public int? Frames { get; init; }
    public int? Fps { get; init; }
    public ulong? Seed { get; init; }
    public int? Steps { get; init; }
    public float? Guidance { get; init; }
    public float? GuidanceFocus { get; init; }
    public string? Strategy { get; init; }
    public int? Window { get; init; }
    public int? Overlap { get; init; }
    public int? SyncEvery { get; init; }
    public string? Blend { get; init; }
    public int? KeyframeStride { get; init; }

    /// <summary><c>auto</c> (default), <c>keyframes</c> or <c>none</c>.</summary>
    public string? Anchors { get; init; }

    /// <summary>Lay out the opening frame with the model's first-frame model (default: when it has one).</summary>
    public bool? FirstFrame { get; init; }
    public string? Model { get; init; }
    public int? Priority { get; init; }
    public string? Format { get; init; }
    public int? Scale { get; init; }
}

/// <summary>A storyboard segment on the wire: a prompt for seconds [From, To).</summary>
public sealed record StoryboardSegmentView(string Prompt, double From, double To);

/// <summary>A job as the API shows it.</summary>
public sealed record JobView
{
    public required string Id { get; init; }
    public string Tenant { get; init; } = "";

    /// <summary><c>queued</c>, <c>running</c>, <c>stitching</c>, <c>completed</c>, <c>failed</c> or <c>cancelled</c>.</summary>
    public required string State { get; init; }
    public string Phase { get; init; } = "";
    public string Prompt { get; init; } = "";
    public int Frames { get; init; }
    public int Fps { get; init; }
    public int Steps { get; init; }

    /// <summary>Whether the model's first-frame model lays out the opening frame.</summary>
    public bool FirstFrame { get; init; }
    public int WindowsTotal { get; init; }
    public int WindowsDone { get; init; }
    public IReadOnlyList<int> WindowProgress { get; init; } = [];

    /// <summary>0 to 1 over the whole job.</summary>
    public double Progress { get; init; }
    public double? EtaSeconds { get; init; }
    public DateTimeOffset SubmittedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public string? Error { get; init; }

    /// <summary>Where to download the video once completed.</summary>
    public string? Video { get; init; }
    public string Format { get; init; } = "mp4";

    [JsonIgnore]
    public bool IsFinished => State is "completed" or "failed" or "cancelled";
}

/// <summary>The body of <c>GET /v1/jobs</c>.</summary>
public sealed record JobListView(IReadOnlyList<JobView> Jobs);

/// <summary>The body of <c>GET /v1/models</c>.</summary>
public sealed record ModelListView(IReadOnlyList<ModelInfo> Models);
