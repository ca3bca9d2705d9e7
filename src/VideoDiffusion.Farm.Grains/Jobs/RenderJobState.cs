using VideoDiffusion.Farm.Abstractions;

namespace VideoDiffusion.Farm.Grains.Jobs;

/// <summary>What the job grain persists: enough to resume on another silo after its own was lost.</summary>
[GenerateSerializer]
public sealed class RenderJobState
{
    [Id(0)] public RenderJobRequest? Request { get; set; }
    [Id(1)] public JobState State { get; set; }

    /// <summary>Whether the job's plan is stored (its windows are tracked from then on).</summary>
    [Id(2)] public bool Planned { get; set; }

    /// <summary>Per window of the plan, in plan order (see <see cref="JobTasks"/>).</summary>
    [Id(3)] public bool[] Done { get; set; } = [];

    /// <summary>Percent per window of the plan, in plan order.</summary>
    [Id(4)] public byte[] Progress { get; set; } = [];
    [Id(5)] public string? Error { get; set; }
    [Id(6)] public JobResult? Result { get; set; }
    [Id(7)] public DateTimeOffset SubmittedAt { get; set; }
    [Id(8)] public DateTimeOffset? FinishedAt { get; set; }
    [Id(9)] public int Steps { get; set; }
    [Id(10)] public int Frames { get; set; }
    [Id(11)] public int Fps { get; set; }
    [Id(12)] public bool FirstFrame { get; set; }

    /// <summary>When the first window-step ran (the end of the job's queue wait).</summary>
    [Id(13)] public DateTimeOffset? StartedAt { get; set; }

    /// <summary>When the last window's final latents were stored and stitching began.</summary>
    [Id(14)] public DateTimeOffset? DenoisedAt { get; set; }

    /// <summary>The content hash of the model files the job was planned with (empty until planned).</summary>
    [Id(15)] public string ModelHash { get; set; } = "";
}
