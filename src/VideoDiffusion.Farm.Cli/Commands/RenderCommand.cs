using System.CommandLine;
using VideoDiffusion.Farm.Cli.Rendering;
using VideoDiffusion.Farm.Cli.Terminal;
using VideoDiffusion.Farm.Diffusion.Models;
using VideoDiffusion.Farm.Diffusion.Onnx;
using VideoDiffusion.Farm.Diffusion.Planning;
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
        var engine = new Option<string>("--engine") { Description = "reference (single process) | farm (Orleans)", DefaultValueFactory = _ => "reference" };
        var report = new Option<string?>("--report") { Description = "Write plan, timings and quality metrics as JSON" };
        var command = new Command("render", "Render a video from a prompt or a storyboard");
        options.AddTo(command);
        command.Options.Add(output);
        command.Options.Add(scale);
        command.Options.Add(engine);
        command.Options.Add(report);
        command.SetAction(async (result, cancellation) =>
        {
            var request = options.ToRequest(result);
            var outPath = result.GetValue(output)!;
            VideoEncoder.ContainerFor(outPath);
            var engineName = result.GetValue(engine)!;
            if (engineName != "reference")
            {
                throw new PlanException("engine", engineName == "farm"
                    ? "the farm engine is not built yet in this version; use --engine reference"
                    : $"unknown engine '{engineName}' (reference, farm)");
            }
            var scaleValue = result.GetValue(scale);
            if (scaleValue is < 1 or > 16)
            {
                throw new PlanException("scale", $"scale must be between 1 and 16 (got {scaleValue})");
            }
            VideoEncoder.EnsureFfmpeg();
            var modelPath = ModelLocator.Resolve(result.GetValue(options.Model));
            using var model = DiffusionModel.Load(modelPath, new OnnxRuntimeSettings { IntraOpThreads = result.GetValue(options.Threads) });
            var spec = Diffusion.Rendering.RenderJobSpec.Resolve(request, model.Manifest);
            var display = ProgressDisplay.ForConsole();
            display.Line($"{model.Manifest.Name}: {spec.PixelFrames} frames at {spec.Fps} fps, {spec.LatentFrames} latent frames in " +
                         $"{spec.Plan.Windows.Count} windows of {spec.Plan.WindowLength} (overlap {spec.Plan.Overlap}), {spec.Strategy}, {spec.Steps} steps");
            var unknown = spec.Storyboard.Segments.SelectMany(s => model.Tokenizer.UnknownWords(s.Prompt)).Distinct().ToList();
            if (unknown.Count > 0)
            {
                display.Line($"note: the model does not know the words: {string.Join(", ", unknown)}");
            }
            var rendered = new ReferenceClipRenderer(model).Render(spec, display, cancellation);
            await ReferenceClipRenderer.EncodeAsync(rendered, outPath, scaleValue, cancellation);
            var t = rendered.Timings;
            display.Line($"wrote {outPath}: {spec.PixelFrames} frames in {t.Total.TotalSeconds:F1}s " +
                         $"(text {t.TextEncoding.TotalSeconds:F2}s, denoise {t.Denoising.TotalSeconds:F1}s, fusion {t.Fusion.TotalSeconds:F2}s, " +
                         $"decode {t.Decoding.TotalSeconds:F2}s, encode {t.Encoding.TotalSeconds:F2}s); seam ratio {rendered.Quality.SeamRatio:F3}");
            if (result.GetValue(report) is { } reportPath)
            {
                RenderReport.Write(reportPath, RenderReport.Build(rendered, model.Manifest.Name, engineName, outPath));
            }
            return 0;
        });
        return command;
    }
}
