namespace VideoDiffusion.Farm.Abstractions;

/// <summary>Lifecycle of a render job.</summary>
public enum JobState
{
    Queued,
    Running,
    Stitching,
    Completed,
    Failed,
    Cancelled,
}
