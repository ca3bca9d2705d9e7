namespace VideoDiffusion.Farm.Abstractions.Protocol;

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

    /// <summary>The latest step this window received an edge for from <paramref name="fromWindow"/> (-1: none): how far that neighbour had got.</summary>
    Task<int> LastStepFrom(int fromWindow);

    /// <summary>
    /// Neighbour <paramref name="window"/> stored its final latents: it will never ask for this window's edges again, so
    /// the log of what was sent to it can go.
    /// </summary>
    [Orleans.Concurrency.OneWay]
    Task NeighbourFinished(int window);

    Task Cancel();
}
