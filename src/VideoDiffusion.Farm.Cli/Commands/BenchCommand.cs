using System.CommandLine;
using VideoDiffusion.Farm.Cli.Rendering;
using VideoDiffusion.Farm.Diffusion.Models;
using VideoDiffusion.Farm.Diffusion.Onnx;
using VideoDiffusion.Farm.Diffusion.Plans;
using VideoDiffusion.Farm.Diffusion.Rendering;
using VideoDiffusion.Farm.Grains.Jobs;
using VideoDiffusion.Farm.Hosting.Embedded;

namespace VideoDiffusion.Farm.Cli.Commands;

/// <summary>
/// <c>farm bench</c>: the same job on the reference engine and on the embedded farm, at several batch sizes, in one run:
/// window-steps per second, the reference's time split per phase, and the farm's overhead ratio.
/// </summary>
public static class BenchCommand
{
    public const string SeedPrompt = "Bluey walking on the moon after coming out of the spaceship";

    /// <summary>Largest batch compared, and most in-process silos (as <c>farm render</c> allows).</summary>
    private const int MaxBatch = 64, MaxSilos = 16;

    public static Command Create()
    {
        var options = new RenderOptions();
        var batches = new Option<string>("--batches") { Description = "Comma-separated batch sizes to compare", DefaultValueFactory = _ => "1,4,8" };
        var engines = new Option<string>("--engines") { Description = "Comma-separated engines: reference, farm", DefaultValueFactory = _ => "reference,farm" };
        var silos = new Option<int>("--silos") { Description = "In-process silos for the farm engine", DefaultValueFactory = _ => 1 };
        var telemetryRuns = new Option<int>("--telemetry-runs") { Description = "Then time the farm with telemetry on and off, alternating, this many times each (0: skip)", DefaultValueFactory = _ => 0 };
        var command = new Command("bench", "Benchmark: window-steps/s, per-phase time split, farm overhead vs the reference");
        options.AddTo(command);
        command.Options.Add(batches);
        command.Options.Add(engines);
        command.Options.Add(silos);
        command.Options.Add(telemetryRuns);
        command.SetAction(async (result, cancellation) =>
        {
            var baseJob = options.ToJobRequest(result);
            if (string.IsNullOrWhiteSpace(baseJob.Prompt) && baseJob.Storyboard is null)
            {
                baseJob = baseJob with { Prompt = SeedPrompt };
            }
            baseJob = baseJob with { Seconds = baseJob.Seconds ?? (baseJob.Storyboard is null ? 60 : null) };
            var baseRequest = options.ToRenderRequest(result, baseJob);
            var sizes = OptionChecks.WholeNumbers(result.GetValue(batches)!, "batches", 1, MaxBatch);
            var engineList = OptionChecks.Choices(result.GetValue(engines)!, "engines", "reference", "farm");
            OptionChecks.Require(result.GetValue(silos) is >= 1 and <= MaxSilos, "silos", $"silos must be between 1 and {MaxSilos} (got {result.GetValue(silos)})");
            OptionChecks.Require(result.GetValue(telemetryRuns) is >= 0 and <= 100, "telemetry-runs", $"telemetry runs must be between 0 and 100 (got {result.GetValue(telemetryRuns)})");
            var threads = options.ThreadsOf(result);
            var modelPath = ModelLocator.Resolve(result.GetValue(options.Model));
            using var model = DiffusionModel.Load(modelPath, new OnnxRuntimeSettings { IntraOpThreads = threads });
            var renderer = new ReferenceClipRenderer(model);
            var output = Path.Combine(Path.GetTempPath(), $"farm-bench-{Environment.ProcessId}.mp4");
            var probe = RenderJobSpec.Resolve(baseRequest, model.Manifest);
            var windowSteps = JobPlanner.WindowSteps(probe);
            Console.WriteLine($"model {model.Manifest.Name}, {threads} inference thread(s), {baseRequest.Seconds} s = {probe.PixelFrames} frames, " +
                              $"{probe.Plan.Windows.Count} windows x {probe.Steps} steps = {windowSteps} window-steps, {probe.Strategy}");
            Console.WriteLine($"{"engine",-9} {"batch",5} {"win-steps/s",12} {"text s",7} {"denoise s",10} {"fusion s",9} {"decode s",9} {"encode s",9} {"total s",8}");
            var totals = new Dictionary<(string, int), double>();
            foreach (var size in sizes)
            {
                var request = baseRequest with { MaxBatch = size };
                var spec = RenderJobSpec.Resolve(request, model.Manifest);
                if (engineList.Contains("reference"))
                {
                    var r = renderer.Render(spec, null, cancellation);
                    await ReferenceClipRenderer.EncodeAsync(r, output, 4, cancellation);
                    var t = r.Timings;
                    totals[("reference", size)] = t.Total.TotalSeconds;
                    Console.WriteLine($"{"reference",-9} {size,5} {t.WindowStepsPerSecond,12:F1} {t.TextEncoding.TotalSeconds,7:F3} {t.Denoising.TotalSeconds,10:F2} " +
                                      $"{t.Fusion.TotalSeconds,9:F3} {t.Decoding.TotalSeconds,9:F3} {t.Encoding.TotalSeconds,9:F3} {t.Total.TotalSeconds,8:F2}");
                }
                if (engineList.Contains("farm"))
                {
                    await using var farm = await EmbeddedFarm.StartAsync(new EmbeddedFarmOptions
                    {
                        Silos = result.GetValue(silos),
                        ThreadsPerSlot = threads,
                        MaxBatch = size,
                        ModelsRoot = Path.GetDirectoryName(modelPath)!,
                    }, cancellation);
                    // a tiny warm-up job loads the sessions, as the reference's model was loaded before timing
                    var warm = baseJob with { Seconds = 1, Steps = 1 };
                    await FarmClipRenderer.RunJobAsync(farm, warm, RenderJobSpec.Resolve(JobRequestMapper.ToRenderRequest(warm), model.Manifest), modelPath, output, 4, null, cancellation);
                    var (status, elapsed, calls) = await FarmClipRenderer.RunJobAsync(farm, baseJob, spec, modelPath, output, 4, null, cancellation);
                    totals[("farm", size)] = elapsed.TotalSeconds;
                    Console.WriteLine($"{"farm",-9} {size,5} {windowSteps / elapsed.TotalSeconds,12:F1} {"",7} {"",10} {"",9} {status.Result?.DecodeSeconds,9:F3} {status.Result?.EncodeSeconds,9:F3} {elapsed.TotalSeconds,8:F2}" +
                                      $"   ({status.State}, {calls} job-grain calls)");
                }
            }
            File.Delete(output);
            foreach (var size in sizes.Where(s => totals.ContainsKey(("reference", s)) && totals.ContainsKey(("farm", s))))
            {
                Console.WriteLine($"batch {size}: farm / reference wall time = {totals[("farm", size)] / totals[("reference", size)]:F3}");
            }
            var referenceRows = sizes.Where(s => totals.ContainsKey(("reference", s))).ToList();
            var farmRows = sizes.Where(s => totals.ContainsKey(("farm", s))).ToList();
            if (referenceRows.Count > 0 && farmRows.Count > 0)
            {
                var bestReference = referenceRows.Min(s => totals[("reference", s)]);
                var bestFarm = farmRows.Min(s => totals[("farm", s)]);
                Console.WriteLine($"best farm / best reference wall time = {bestFarm / bestReference:F3}");
            }
            foreach (var engine in engineList)
            {
                var rows = sizes.Where(s => totals.ContainsKey((engine, s))).ToList();
                if (rows.Count > 1)
                {
                    var best = rows.MinBy(s => totals[(engine, s)]);
                    Console.WriteLine($"{engine}: best batch {best}, {totals[(engine, rows[0])] / totals[(engine, best)]:F2}x the window-steps/s of batch {rows[0]}");
                }
            }
            if (result.GetValue(telemetryRuns) is > 0 and var runs)
            {
                await TelemetryBench.RunAsync(baseJob, sizes[0], model.Manifest, modelPath, result.GetValue(silos), threads, runs, cancellation);
            }
            return 0;
        });
        return command;
    }
}
