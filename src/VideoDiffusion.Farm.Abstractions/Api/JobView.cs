using System.Text.Json.Serialization;

namespace VideoDiffusion.Farm.Abstractions.Api;

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

    /// <summary>Rendered on simulated accelerators: the timing is a device profile's and the video is noise.</summary>
    public bool Simulated { get; init; }

    /// <summary>The content hash (SHA-256, hex) of the model files the job was planned with; empty until planned.</summary>
    public string ModelHash { get; init; } = "";

    /// <summary>Why the job's windows are not running now, or null: no accelerator silo serves its model with that hash.</summary>
    public string? Waiting { get; init; }
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
