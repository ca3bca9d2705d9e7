using System.Diagnostics;
using VideoDiffusion.Farm.Abstractions;
using VideoDiffusion.Farm.Diffusion.Rendering;
using VideoDiffusion.Farm.Silo.Embedded;

namespace VideoDiffusion.Farm.Cli.Rendering;

/// <summary>Embedded farm engine: starts in-process silos, submits the job, follows it, copies the video out.</summary>
public static class FarmClipRenderer
{
    public static async Task<(JobStatus Status, TimeSpan Elapsed)> RenderAsync(
        RenderJobRequest request, RenderJobSpec spec, string modelFolder, string output, int scale, int silos, int threads, IProgress<RenderProgress>? progress, CancellationToken cancellation)
    {
        var started = Stopwatch.GetTimestamp();
        await using var farm = await EmbeddedFarm.StartAsync(new EmbeddedFarmOptions
        {
            Silos = silos,
            ThreadsPerSlot = threads,
            MaxBatch = spec.MaxBatch,
            ModelsRoot = Path.GetDirectoryName(modelFolder)!,
            PreloadModels = [Path.GetFileName(modelFolder)],
        }, cancellation);
        var (status, _) = await RunJobAsync(farm, request, spec, modelFolder, output, scale, progress, cancellation);
        if (status.State == JobState.Completed && status.Result is { } result)
        {
            await using var video = await farm.Store.OpenAsync(result.ArtifactKey, cancellation)
                                    ?? throw new InvalidOperationException($"the farm reported {result.ArtifactKey} but it is not stored");
            var directory = Path.GetDirectoryName(Path.GetFullPath(output));
            if (directory is not null)
            {
                Directory.CreateDirectory(directory);
            }
            await using var file = File.Create(output);
            await video.CopyToAsync(file, cancellation);
        }
        return (status, Stopwatch.GetElapsedTime(started));
    }

    /// <summary>Runs one job on a started farm; returns its final status and the wall time from submission to the end.</summary>
    public static async Task<(JobStatus Status, TimeSpan Elapsed)> RunJobAsync(
        EmbeddedFarm farm, RenderJobRequest request, RenderJobSpec spec, string modelFolder, string output, int scale, IProgress<RenderProgress>? progress, CancellationToken cancellation)
    {
        var format = Path.GetExtension(output).TrimStart('.').ToLowerInvariant();
        var jobRequest = request with { Model = Path.GetFileName(modelFolder), Format = format, Scale = scale };
        var total = StrategyWindowSteps(spec);
        var started = Stopwatch.GetTimestamp();
        var status = await farm.RunJobAsync(Guid.NewGuid().ToString("N"), jobRequest, s => progress?.Report(ToProgress(s, spec, total)), cancellation);
        return (status, Stopwatch.GetElapsedTime(started));
    }

    private static long StrategyWindowSteps(RenderJobSpec spec) => ReferenceRenderer.StrategyFor(spec.Strategy).WindowSteps(spec);

    /// <summary>Window-steps done so far, estimated from the per-window quarters the job grain tracks.</summary>
    private static RenderProgress ToProgress(JobStatus status, RenderJobSpec spec, long total)
    {
        var keyWindows = spec.Strategy == RenderStrategy.Keyframes ? KeyframeStrategy.KeyframePlan(spec).Windows.Count : 0;
        var before = status.Phase == PassLayout.Main ? (long)keyWindows * spec.Steps : 0;
        var done = before + status.WindowProgress.Sum(p => (long)p * spec.Steps / 100);
        var phase = status.State == JobState.Stitching ? "stitch" : status.Phase == PassLayout.Keyframe ? "keyframes" : "denoise";
        return new RenderProgress(phase, status.IsFinished ? total : Math.Min(done, total), total);
    }
}
