using System.Text.Json;
using System.Text.Json.Serialization;
using VideoDiffusion.Farm.Cli.Rendering;
using VideoDiffusion.Farm.Diffusion.Rendering;

namespace VideoDiffusion.Farm.Cli.Commands;

/// <summary>The JSON written by <c>--report</c>: plan, settings, per-phase timings, quality.</summary>
public static class RenderReport
{
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
    };

    public static object Build(ClipRenderResult r, string model, string engine, string? output) => new
    {
        engine,
        model,
        output,
        job = Settings(r.Spec),
        plan = Plan(r.Spec),
        timingsSeconds = new
        {
            textEncoding = r.Timings.TextEncoding.TotalSeconds,
            denoising = r.Timings.Denoising.TotalSeconds,
            fusion = r.Timings.Fusion.TotalSeconds,
            decoding = r.Timings.Decoding.TotalSeconds,
            encoding = r.Timings.Encoding.TotalSeconds,
            total = r.Timings.Total.TotalSeconds,
        },
        work = new { r.Timings.WindowSteps, r.Timings.DenoiserCalls, r.Timings.WindowStepsPerSecond },
        quality = new
        {
            r.Quality.SeamRatio,
            r.Quality.MeanFrameDifference,
            r.Quality.BoundaryFrameDifference,
            r.Quality.InsideFrameDifference,
            r.Quality.ColourDrift,
        },
    };

    public static object BuildFarm(RenderJobSpec spec, Abstractions.JobStatus status, long jobGrainCalls, string model, int silos, TimeSpan elapsed, string output) => new
    {
        engine = "farm",
        model,
        output,
        silos,
        status.JobId,
        job = Settings(spec),
        plan = Plan(spec),
        timingsSeconds = new { decoding = status.Result?.DecodeSeconds, encoding = status.Result?.EncodeSeconds, total = elapsed.TotalSeconds },
        quality = new { seamRatio = status.Result?.SeamRatio },
        jobGrainCalls,
    };

    /// <summary>The job's settings, the same for both engines, so two reports compare field by field.</summary>
    private static object Settings(RenderJobSpec spec) => new
    {
        prompts = spec.Storyboard.Segments,
        spec.Fps,
        spec.PixelFrames,
        spec.LatentFrames,
        spec.Seed,
        spec.Steps,
        spec.Guidance,
        spec.GuidanceFocus,
        spec.MultiWindowGuidance,
        spec.Shift,
        spec.Strategy,
        spec.SyncEvery,
        spec.Blend,
        spec.KeyframeStride,
        spec.KeyframePass,
        spec.KeyframeLevelStrides,
        spec.FirstFramePass,
        batch = spec.MaxBatch,
    };

    private static object Plan(RenderJobSpec spec) => new
    {
        window = spec.Plan.WindowLength,
        overlap = spec.Plan.Overlap,
        windows = spec.Plan.Windows.Select(w => new { w.Index, w.Start, w.Length }),
    };

    /// <summary>Writes the report as JSON, creating its folder as the video's is created.</summary>
    public static void Write(string path, object report)
    {
        if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } folder)
        {
            Directory.CreateDirectory(folder);
        }
        File.WriteAllText(path, JsonSerializer.Serialize(report, Options));
    }
}
