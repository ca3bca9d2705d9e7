using System.Text.Json;
using System.Text.Json.Serialization;
using VideoDiffusion.Farm.Cli.Rendering;

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
        job = new
        {
            prompts = r.Spec.Storyboard.Segments,
            r.Spec.Fps,
            r.Spec.PixelFrames,
            r.Spec.LatentFrames,
            seed = r.Spec.Seed,
            r.Spec.Steps,
            r.Spec.Guidance,
            r.Spec.GuidanceFocus,
            r.Spec.MultiWindowGuidance,
            r.Spec.Shift,
            r.Spec.Strategy,
            r.Spec.SyncEvery,
            r.Spec.Blend,
            r.Spec.KeyframeStride,
            r.Spec.KeyframePass,
            r.Spec.KeyframeLevelStrides,
            r.Spec.FirstFramePass,
            batch = r.Spec.MaxBatch,
        },
        plan = new
        {
            window = r.Spec.Plan.WindowLength,
            overlap = r.Spec.Plan.Overlap,
            windows = r.Spec.Plan.Windows.Select(w => new { w.Index, w.Start, w.Length }),
        },
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

    public static object BuildFarm(Diffusion.Rendering.RenderJobSpec spec, Abstractions.JobStatus status, long jobGrainCalls, string model, int silos, TimeSpan elapsed, string output) => new
    {
        engine = "farm",
        model,
        output,
        silos,
        job = new { status.JobId, spec.Fps, spec.PixelFrames, spec.LatentFrames, spec.Seed, spec.Steps, spec.Guidance, spec.GuidanceFocus, spec.MultiWindowGuidance, spec.Strategy, spec.SyncEvery, spec.Blend, spec.KeyframePass, spec.FirstFramePass, batch = spec.MaxBatch },
        plan = new { window = spec.Plan.WindowLength, overlap = spec.Plan.Overlap, windows = spec.Plan.Windows.Select(w => new { w.Index, w.Start, w.Length }) },
        timingsSeconds = new { decoding = status.Result?.DecodeSeconds, encoding = status.Result?.EncodeSeconds, total = elapsed.TotalSeconds },
        quality = new { seamRatio = status.Result?.SeamRatio },
        jobGrainCalls,
    };

    public static void Write(string path, object report) => File.WriteAllText(path, JsonSerializer.Serialize(report, Options));
}
