namespace VideoDiffusion.Farm.Abstractions;

/// <summary>A snapshot of a job: state, per-window progress (percent per window, pass by pass), result or error.</summary>
[GenerateSerializer, Immutable]
public sealed record JobStatus
{
    [Id(0)] public required string JobId { get; init; }
    [Id(1)] public JobState State { get; init; }
    [Id(2)] public string Phase { get; init; } = "";
    [Id(3)] public int WindowsTotal { get; init; }
    [Id(4)] public int WindowsDone { get; init; }

    /// <summary>Percent done per window of the current pass (a window reports a handful of times, not every step).</summary>
    [Id(5)] public IReadOnlyList<byte> WindowProgress { get; init; } = [];
    [Id(6)] public int Steps { get; init; }
    [Id(7)] public string? Error { get; init; }
    [Id(8)] public JobResult? Result { get; init; }
    [Id(9)] public DateTimeOffset SubmittedAt { get; init; }
    [Id(10)] public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>Share of the job's window-steps done, 0 to 1; never goes back.</summary>
    [Id(11)] public double Progress { get; init; }

    /// <summary>False for an id no job was ever submitted under.</summary>
    [Id(12)] public bool Exists { get; init; }
    [Id(13)] public string Tenant { get; init; } = "";

    /// <summary>The prompt, or the storyboard's prompts joined by " | ".</summary>
    [Id(14)] public string Prompt { get; init; } = "";
    [Id(15)] public int Frames { get; init; }
    [Id(16)] public int Fps { get; init; }
    [Id(17)] public string Format { get; init; } = "mp4";

    /// <summary>The silo hosting the job grain (for operators, and for tests that kill it).</summary>
    [Id(18)] public string HostSilo { get; init; } = "";

    /// <summary>Whether the model's first-frame model lays out the clip's opening frame.</summary>
    [Id(19)] public bool FirstFrame { get; init; }

    /// <summary>When the first window-step ran.</summary>
    [Id(20)] public DateTimeOffset? StartedAt { get; init; }

    /// <summary>When every window's final latents were stored (stitching began).</summary>
    [Id(21)] public DateTimeOffset? DenoisedAt { get; init; }

    /// <summary>
    /// Whether the silos run simulated accelerators (<c>ExecutionProvider=simulated</c>): the timing is a device
    /// profile's and the video is not a render of the prompt.
    /// </summary>
    [Id(22)] public bool Simulated { get; init; }

    /// <summary>The content hash (SHA-256, hex) of the model files the job was planned with; empty until planned.</summary>
    [Id(23)] public string ModelHash { get; init; } = "";

    /// <summary>Why the job's windows are not running now (no accelerator silo serves its model's hash), or null.</summary>
    [Id(24)] public string? Waiting { get; init; }

    public bool IsFinished => State is JobState.Completed or JobState.Failed or JobState.Cancelled;
}
