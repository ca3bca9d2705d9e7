using System.CommandLine;
using VideoDiffusion.Farm.Cli.Rendering;
using VideoDiffusion.Farm.Diffusion.Models;
using VideoDiffusion.Farm.Diffusion.Onnx;
using VideoDiffusion.Farm.Diffusion.Rendering;

namespace VideoDiffusion.Farm.Cli.Commands;

/// <summary><c>farm bench</c>: window-steps per second and the time split per phase, at several batch sizes, in one run.</summary>
public static class BenchCommand
{
    public const string SeedPrompt = "Bluey walking on the moon after coming out of the spaceship";

    public static Command Create()
    {
        var options = new RenderOptions();
        var batches = new Option<string>("--batches") { Description = "Comma-separated batch sizes to compare", DefaultValueFactory = _ => "1,4,8" };
        var command = new Command("bench", "Benchmark the reference engine: window-steps/s and per-phase time split");
        options.AddTo(command);
        command.Options.Add(batches);
        command.SetAction(async (result, cancellation) =>
        {
            var baseRequest = options.ToRequest(result);
            if (string.IsNullOrWhiteSpace(baseRequest.Prompt) && baseRequest.Storyboard is null)
            {
                baseRequest = baseRequest with { Prompt = SeedPrompt };
            }
            baseRequest = baseRequest with { Seconds = baseRequest.Seconds ?? 30 };
            var sizes = result.GetValue(batches)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(int.Parse).ToList();
            using var model = DiffusionModel.Load(ModelLocator.Resolve(result.GetValue(options.Model)), new OnnxRuntimeSettings { IntraOpThreads = result.GetValue(options.Threads) });
            var renderer = new ReferenceClipRenderer(model);
            Console.WriteLine($"model {model.Manifest.Name}, threads {result.GetValue(options.Threads)}, {baseRequest.Seconds} s, strategy {baseRequest.Strategy}");
            Console.WriteLine($"{"batch",5} {"win-steps/s",12} {"calls",7} {"text s",8} {"denoise s",10} {"fusion s",9} {"decode s",9} {"encode s",9} {"total s",8}");
            var output = Path.Combine(Path.GetTempPath(), $"farm-bench-{Environment.ProcessId}.mp4");
            double? baseline = null;
            foreach (var size in sizes)
            {
                var spec = RenderJobSpec.Resolve(baseRequest with { MaxBatch = size }, model.Manifest);
                var r = renderer.Render(spec, null, cancellation);
                await ReferenceClipRenderer.EncodeAsync(r, output, 4, cancellation);
                var t = r.Timings;
                baseline ??= t.WindowStepsPerSecond;
                Console.WriteLine($"{size,5} {t.WindowStepsPerSecond,12:F1} {t.DenoiserCalls,7} {t.TextEncoding.TotalSeconds,8:F3} {t.Denoising.TotalSeconds,10:F2} " +
                                  $"{t.Fusion.TotalSeconds,9:F3} {t.Decoding.TotalSeconds,9:F3} {t.Encoding.TotalSeconds,9:F3} {t.Total.TotalSeconds,8:F2}   x{t.WindowStepsPerSecond / baseline:F2} vs batch {sizes[0]}");
            }
            File.Delete(output);
            return 0;
        });
        return command;
    }
}
