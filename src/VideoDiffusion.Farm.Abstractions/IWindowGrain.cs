namespace VideoDiffusion.Farm.Abstractions;

/// <summary>Which window: the job, the pass (<c>main</c>, or <c>key</c> for the keyframe pass) and its index.</summary>
[GenerateSerializer, Immutable]
public readonly record struct WindowKey([property: Id(0)] string JobId, [property: Id(1)] string Pass, [property: Id(2)] int Index)
{
    public string GrainKey => $"{JobId}/{Pass}/{Index}";

    public static WindowKey Parse(string grainKey)
    {
        var parts = grainKey.Split('/');
        if (parts.Length != 3 || !int.TryParse(parts[2], out var index))
        {
            throw new ArgumentException($"invalid window key '{grainKey}'");
        }
        return new WindowKey(parts[0], parts[1], index);
    }

    public WindowKey Neighbour(int offset) => this with { Index = Index + offset };
}

/// <summary>Overlap frames one window sends its neighbour: its own values before fusion, at one step.</summary>
[GenerateSerializer, Immutable]
public sealed record EdgeMessage([property: Id(0)] int Step, [property: Id(1)] int FromWindow, [property: Id(2)] float[] Frames);

/// <summary>
/// A window of one job: holds its latents on its silo, steps through the schedule on the silo's denoise executor
/// and exchanges overlap frames with its neighbours directly.
/// </summary>
public interface IWindowGrain : IGrainWithStringKey
{
    /// <summary>Starts (or resumes from the last checkpoint) in the background; idempotent.</summary>
    Task EnsureRunning();

    /// <summary>A neighbour's overlap frames for one step; only stored, never awaited on, so neighbours cannot deadlock.</summary>
    Task ReceiveEdge(EdgeMessage edge);

    /// <summary>Edges this window sent to <paramref name="toWindow"/> after <paramref name="afterStep"/> (for a neighbour resuming from a checkpoint).</summary>
    Task<EdgeMessage[]> GetEdges(int toWindow, int afterStep);

    Task Cancel();
}

/// <summary>Fuses a job's final window latents, decodes, encodes and stores the video.</summary>
public interface IStitcherGrain : IGrainWithStringKey
{
    /// <summary>Starts stitching in the background and reports to the job grain.</summary>
    Task Stitch();
}
