using Microsoft.Extensions.Logging;
using VideoDiffusion.Farm.Grains.Storage;
using VideoDiffusion.Farm.Grains.Telemetry;

namespace VideoDiffusion.Farm.Grains.Windows;

/// <summary>Where a window's run starts: after a move, from its last checkpoint, or rewound for a neighbour.</summary>
public sealed partial class WindowGrain
{
    /// <summary>
    /// Continues where a move left off (<paramref name="handOver"/>, whose latents the window started from), or from
    /// the last stored checkpoint (when rewinding, the last one at or before the asked step) pulling the edges the
    /// neighbours sent since then. Steps this window had passed and now computes again are counted
    /// (<see cref="FarmMetrics.RecomputedSteps"/>). Returns the step to continue from.
    /// </summary>
    private async Task<int> ResumeAsync(int steps, int? rewindTo, WindowHandOver? handOver, CancellationToken cancellation)
    {
        if (handOver is not null)
        {
            _nextStep = handOver.NextStep;
            return handOver.NextStep;
        }
        var reached = _nextStep;
        var start = 0;
        for (var step = Math.Min(steps - 1, rewindTo ?? int.MaxValue) / CheckpointEvery * CheckpointEvery; step > 0; step -= CheckpointEvery)
        {
            if (await artifacts.LoadLatentsAsync(JobArtifacts.CheckpointKey(_key, step), cancellation) is { } checkpoint)
            {
                checkpoint.Latents.Data.CopyTo(_window.Latents.Data, 0);
                start = step;
                break;
            }
        }
        if (start > 0 || rewindTo is not null)
        {
            // a window lost before its first checkpoint restarts at 0 uncounted: at most CheckpointEvery - 1 steps
            reached = Math.Max(reached, await NeighboursSawAsync(cancellation));
        }
        _edges.RestartLogAt(start);
        _nextStep = start;
        if (reached > start)
        {
            logger.LogInformation("window {Window} had reached step {Reached} and resumes at step {Start}", _key.GrainKey, reached, start);
            FarmMetrics.RecomputedSteps.Add(reached - start, SiloTag);
        }
        if (start == 0 && rewindTo is null)
        {
            return 0;
        }
        logger.LogInformation("window {Window} resumed from step {Step}", _key.GrainKey, start);
        FarmMetrics.WindowResumes.Add(1, SiloTag);
        await _exchange.PullSinceAsync(start, FusingWindows, cancellation);
        return start;
    }
}
