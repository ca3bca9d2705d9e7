using System.CommandLine;
using VideoDiffusion.Farm.Cli.Rendering;
using VideoDiffusion.Farm.Cli.Terminal;
using VideoDiffusion.Farm.Diffusion.Models;
using VideoDiffusion.Farm.Diffusion.Onnx;
using VideoDiffusion.Farm.Diffusion.Text;
using VideoDiffusion.Farm.Media.Encoding;

namespace VideoDiffusion.Farm.Cli.Commands;

/// <summary><c>farm render</c>: one clip from a prompt or a storyboard to an .mp4 or .y4m file.</summary>
public static class RenderCommand
{
    public static Command Create()
    {
        var options = new RenderOptions();
        var output = new Option<string>("--out", "-o") { Description = "Output file: .mp4 (H.264) or .y4m (lossless)", Required = true };
        var scale = new Option<int>("--scale") { Description = "Integer upscale of the frames in the output", DefaultValueFactory = _ => 4 };
        var engine = new Option<string>("--engine") { Description = "farm (Orleans, in-process silos) | reference (single process)", DefaultValueFactory = _ => "farm" };
        var silos = new Option<int>("--silos") { Description = "In-process silos for the farm engine", DefaultValueFactory = _ => 1 };
        var report = new Option<string?>("--report") { Description = "Write plan, timings and quality metrics as JSON" };
        var command = new Command("render", "Render a video from a prompt or a storyboard");
        options.AddTo(command);
        command.Options.Add(output);
        command.Options.Add(scale);
        command.Options.Add(engine);
        command.Options.Add(report);
        command.Options.Add(silos);
        command.SetAction(async (result, cancellation) =>
        {
            var request = options.ToJobRequest(result);
            var outPath = result.GetValue(output)!;
            VideoEncoder.ContainerFor(outPath);
            var engineName = result.GetValue(engine)!;
            OptionChecks.Require(engineName is "reference" or "farm", "engine", $"unknown engine '{engineName}' (farm, reference)");
            var siloCount = result.GetValue(silos);
            OptionChecks.Require(siloCount is >= 1 and <= 16, "silos", $"silos must be between 1 and 16 (got {siloCount})");
            var scaleValue = result.GetValue(scale);
            OptionChecks.Require(scaleValue is >= 1 and <= 16, "scale", $"scale must be between 1 and 16 (got {scaleValue})");
            var threads = options.ThreadsOf(result);
            VideoEncoder.EnsureFfmpeg();
            var modelPath = ModelLocator.Resolve(result.GetValue(options.Model));
            // the farm engine's silos create the ONNX sessions themselves: this process reads only the manifest and tokenizer
            var manifest = ModelManifestLoader.Load(modelPath);
            var tokenizer = WordTokenizer.Load(manifest);
            var spec = Diffusion.Rendering.RenderJobSpec.Resolve(options.ToRenderRequest(result, request), manifest);
            var display = ProgressDisplay.ForConsole();
            display.Line($"{manifest.Name}: {spec.PixelFrames} frames at {spec.Fps} fps, {spec.LatentFrames} latent frames in " +
                         $"{spec.Plan.Windows.Count} windows of {spec.Plan.WindowLength} (overlap {spec.Plan.Overlap}), {spec.Strategy}, {spec.Steps} steps");
            var unknown = spec.Storyboard.Segments.SelectMany(s => tokenizer.UnknownWords(s.Prompt)).Distinct().ToList();
            if (unknown.Count > 0)
            {
                display.Line($"note: the model does not know the words: {string.Join(", ", unknown)}");
            }
            if (engineName == "farm")
            {
                var (status, elapsed, calls) = await FarmClipRenderer.RenderAsync(request, spec, modelPath, outPath, scaleValue, siloCount,
                    options.FarmSlots(result, siloCount), display, cancellation);
                cancellation.ThrowIfCancellationRequested(); // Ctrl+C or SIGTERM cancelled the job: "cancelled", exit code 130
                if (status.State != Abstractions.JobState.Completed || status.Result is null)
                {
                    throw new InvalidOperationException($"the job {status.State.ToString().ToLowerInvariant()}: {status.Error}");
                }
                display.Line($"wrote {outPath}: {status.Result.Frames} frames in {elapsed.TotalSeconds:F1}s on {siloCount} silo(s) " +
                             $"(decode {status.Result.DecodeSeconds:F2}s, encode {status.Result.EncodeSeconds:F2}s); seam ratio {status.Result.SeamRatio:F3}; " +
                             $"{calls} calls into the job grain");
                if (result.GetValue(report) is { } farmReport)
                {
                    RenderReport.Write(farmReport, RenderReport.BuildFarm(spec, status, calls, manifest.Name, siloCount, elapsed, outPath));
                }
                return 0;
            }
            using var model = DiffusionModel.Load(modelPath, new OnnxRuntimeSettings { IntraOpThreads = threads });
            var rendered = new ReferenceClipRenderer(model).Render(spec, display, cancellation);
            await ReferenceClipRenderer.EncodeAsync(rendered, outPath, scaleValue, cancellation);
            var t = rendered.Timings;
            display.Line($"wrote {outPath}: {spec.PixelFrames} frames in {t.Total.TotalSeconds:F1}s " +
                         $"(text {t.TextEncoding.TotalSeconds:F2}s, denoise {t.Denoising.TotalSeconds:F1}s, fusion {t.Fusion.TotalSeconds:F2}s, " +
                         $"decode {t.Decoding.TotalSeconds:F2}s, encode {t.Encoding.TotalSeconds:F2}s); seam ratio {rendered.Quality.SeamRatio:F3}");
            if (result.GetValue(report) is { } reportPath)
            {
                RenderReport.Write(reportPath, RenderReport.Build(rendered, manifest.Name, engineName, outPath));
            }
            return 0;
        });
        return command;
    }
}
