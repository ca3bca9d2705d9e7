using System.Diagnostics;
using VideoDiffusion.Farm.Diffusion.Models;
using VideoDiffusion.Farm.Diffusion.Quality;
using VideoDiffusion.Farm.Diffusion.Rendering;
using VideoDiffusion.Farm.Media.Encoding;
using VideoDiffusion.Farm.Media.Frames;

namespace VideoDiffusion.Farm.Cli.Rendering;

/// <summary>Reference engine end to end: denoise, decode in chunks, measure, encode.</summary>
public sealed class ReferenceClipRenderer(DiffusionModel model)
{
    public ClipRenderResult Render(RenderJobSpec spec, IProgress<RenderProgress>? progress, CancellationToken cancellation)
    {
        var started = Stopwatch.GetTimestamp();
        var (latents, timings) = new ReferenceRenderer(model).Render(spec, progress, cancellation);
        var video = model.Manifest.Video;
        Diffusion.Tensors.RgbVideo? frames = null;
        timings.Decoding = RenderTimings.Measure(() =>
            frames = LatentFrameDecoder.Decode(model.Decoder, latents, spec.PixelFrames, video.Width, video.Height));
        var quality = TemporalMetrics.Measure(frames!, spec.Plan, model.Manifest.Latent.TemporalFactor);
        timings.Total = Stopwatch.GetElapsedTime(started);
        return new ClipRenderResult(spec, frames!, latents, timings, quality);
    }

    public static async Task EncodeAsync(ClipRenderResult result, string output, int scale, CancellationToken cancellation)
    {
        var started = Stopwatch.GetTimestamp();
        await VideoEncoder.EncodeAsync(result.Video, result.Spec.Fps, output, scale, cancellation);
        result.Timings.Encoding = Stopwatch.GetElapsedTime(started);
        result.Timings.Total += result.Timings.Encoding;
    }
}
