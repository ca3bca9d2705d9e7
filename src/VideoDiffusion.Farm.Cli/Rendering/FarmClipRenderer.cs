using System.Diagnostics;
using VideoDiffusion.Farm.Abstractions;
using VideoDiffusion.Farm.Diffusion.Plans;
using VideoDiffusion.Farm.Diffusion.Rendering;
using VideoDiffusion.Farm.Grains.Telemetry;
using VideoDiffusion.Farm.Hosting.Embedded;

namespace VideoDiffusion.Farm.Cli.Rendering;

/// <summary>Embedded farm engine: starts in-process silos, submits the job, follows it, copies the video out.</summary>
public static class FarmClipRenderer
{
    public static async Task<(JobStatus Status, TimeSpan Elapsed, long JobGrainCalls)> RenderAsync(
        RenderJobRequest request, RenderJobSpec spec, string modelFolder, string output, int scale, int silos, (int SlotsPerSilo, int ThreadsPerSlot) slots, IProgress<RenderProgress>? progress, CancellationToken cancellation)
    {
        var started = Stopwatch.GetTimestamp();
        await using var farm = await EmbeddedFarm.StartAsync(new EmbeddedFarmOptions
        {
            Silos = silos,
            SlotsPerSilo = slots.SlotsPerSilo,
            ThreadsPerSlot = slots.ThreadsPerSlot,
            MaxBatch = spec.MaxBatch,
            ModelsRoot = Path.GetDirectoryName(modelFolder)!,
            PreloadModels = [Path.GetFileName(modelFolder)],
        }, cancellation);
        var (status, _, calls) = await RunJobAsync(farm, request, spec, modelFolder, output, scale, progress, cancellation);
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
        return (status, Stopwatch.GetElapsedTime(started), calls);
    }

    /// <summary>Runs one job on a started farm; returns its final status, the wall time from submission to the end and the calls into its job grain.</summary>
    public static async Task<(JobStatus Status, TimeSpan Elapsed, long JobGrainCalls)> RunJobAsync(
        EmbeddedFarm farm, RenderJobRequest request, RenderJobSpec spec, string modelFolder, string output, int scale, IProgress<RenderProgress>? progress, CancellationToken cancellation)
    {
        var format = Path.GetExtension(output).TrimStart('.').ToLowerInvariant();
        var jobRequest = request with { Model = Path.GetFileName(modelFolder), Format = format, Scale = scale };
        var total = JobPlanner.WindowSteps(spec);
        using var calls = new FarmCounter(FarmCounter.JobGrainCalls);
        var started = Stopwatch.GetTimestamp();
        var status = await farm.RunJobAsync(Guid.NewGuid().ToString("N"), jobRequest, s => progress?.Report(ToProgress(s, total)), cancellation);
        return (status, Stopwatch.GetElapsedTime(started), calls.Total);
    }

    /// <summary>Window-steps done so far, from the share the job grain reports (it never goes back).</summary>
    private static RenderProgress ToProgress(JobStatus status, long total)
    {
        var phase = status.State == JobState.Stitching ? "stitch" : PassPlan.IsKeyframePass(status.Phase) ? "keyframes" : status.Phase == "plan" ? "plan" : "denoise";
        return new RenderProgress(phase, status.IsFinished ? total : (long)Math.Round(status.Progress * total), total);
    }
}
