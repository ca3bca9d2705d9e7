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
            r.Spec.Shift,
            r.Spec.Strategy,
            r.Spec.SyncEvery,
            r.Spec.Blend,
            r.Spec.KeyframeStride,
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

    public static void Write(string path, object report) => File.WriteAllText(path, JsonSerializer.Serialize(report, Options));
}
