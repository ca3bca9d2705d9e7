using System.CommandLine;
using System.Text.Json;
using VideoDiffusion.Farm.Cli.Evaluation;
using VideoDiffusion.Farm.Cli.Rendering;
using VideoDiffusion.Farm.Diffusion.Models;
using VideoDiffusion.Farm.Diffusion.Onnx;
using VideoDiffusion.Farm.Diffusion.Planning;

namespace VideoDiffusion.Farm.Cli.Commands;

/// <summary>
/// <c>farm eval-model</c>: renders an evaluation set with the ONNX files and prints the scores; 16-frame clips by
/// default, long clips of every route with <c>--seconds</c>.
/// </summary>
public static class EvalModelCommand
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static Command Create()
    {
        var model = new Option<string?>("--model") { Description = "Model folder or name (default models/moonwalk-tiny)" };
        var set = new Option<FileInfo?>("--set") { Description = "Evaluation set JSON (default tools/model-kit/eval/eval-set.json; with --seconds, long-test.json)" };
        var json = new Option<string?>("--json") { Description = "Also write the scores as JSON" };
        var quiet = new Option<bool>("--quiet") { Description = "Only the summary" };
        var guidance = new Option<float?>("--guidance") { Description = "Guidance scale (default: the model's)" };
        var focus = new Option<float?>("--guidance-focus") { Description = "Guidance focus, 0 (plain) to 8 (default: the model's)" };
        var threads = new Option<int>("--threads") { Description = "ONNX Runtime threads", DefaultValueFactory = _ => Math.Max(1, Environment.ProcessorCount) };
        var seconds = new Option<double?>("--seconds") { Description = "Long-clip evaluation: render every prompt this long, with every route, at the defaults" };
        var routes = new Option<string>("--routes")
        {
            Description = $"Long-clip evaluation: comma-separated routes ({string.Join(", ", LongClipRoute.All.Select(r => r.Name))})",
            DefaultValueFactory = _ => string.Join(",", LongClipRoute.All.Select(r => r.Name)),
        };
        var count = new Option<int?>("--count") { Description = "Only the set's first N prompts" };
        var command = new Command("eval-model", "Score a model on an evaluation set: 16-frame clips (background, colour, direction, context) or, with --seconds, long clips (world kept, seams)")
        {
            model, set, json, quiet, guidance, focus, threads, seconds, routes, count,
        };
        command.SetAction((result, cancellation) =>
        {
            var longClip = result.GetValue(seconds);
            var defaultSet = longClip is null ? "eval-set.json" : "long-test.json";
            // the kit's sets are found from anywhere inside the repository, or beside the installed binary, as models are
            var setFile = result.GetValue(set)
                          ?? new FileInfo(ModelLocator.RepositoryFile(Path.Combine("tools", "model-kit", "eval", defaultSet)) ?? Path.Combine("tools", "model-kit", "eval", defaultSet));
            if (!setFile.Exists)
            {
                throw new PlanException("set", $"evaluation set '{setFile.FullName}' does not exist");
            }
            var threadCount = result.GetValue(threads);
            OptionChecks.Require(threadCount is >= 1 and <= RenderOptions.MaxThreads, "threads", $"threads must be between 1 and {RenderOptions.MaxThreads} (got {threadCount})");
            OptionChecks.Require(result.GetValue(count) is null or >= 1, "count", $"count must be 1 or more (got {result.GetValue(count)})");
            var routeList = OptionChecks.Choices(result.GetValue(routes)!, "routes", [.. LongClipRoute.All.Select(r => r.Name)]).Select(LongClipRoute.Parse).ToList();
            OptionChecks.Require(result.GetValue(json) is not { } jsonPath || Directory.Exists(Path.GetDirectoryName(Path.GetFullPath(jsonPath))), "json",
                $"the folder of '{result.GetValue(json)}' does not exist");
            var evalSet = EvalSet.Load(setFile.FullName);
            if (result.GetValue(count) is { } n)
            {
                evalSet = evalSet with { Prompts = evalSet.Prompts.Take(n).ToList(), Context = evalSet.Context.Take(n).ToList() };
            }
            using var loaded = DiffusionModel.Load(ModelLocator.Resolve(result.GetValue(model)), new OnnxRuntimeSettings { IntraOpThreads = threadCount });
            var log = result.GetValue(quiet) ? null : (Action<string>)Console.WriteLine;
            object scores = longClip is { } s
                ? EvaluateLongClips(new LongClipEvaluator(loaded, evalSet, s), evalSet, routeList, log, cancellation)
                : EvaluateShortClips(new ModelEvaluator(loaded, evalSet, result.GetValue(guidance), result.GetValue(focus)), log);
            if (result.GetValue(json) is { } path)
            {
                File.WriteAllText(path, JsonSerializer.Serialize(scores, Indented));
            }
            return Task.FromResult(0);
        });
        return command;
    }

    private static ModelScores EvaluateShortClips(ModelEvaluator evaluator, Action<string>? log)
    {
        var scores = evaluator.Evaluate(log);
        Console.WriteLine($"prompts {scores.Prompts}: background right {scores.BackgroundRight:P1}, colour present {scores.ColourPresence:P1} of frames, " +
                          $"direction right {scores.DirectionRight:P1} of {scores.MovingPrompts} moving; context kept {scores.ContextKept:P1} of {scores.ContextCases}; " +
                          $"subjects per frame {scores.SubjectsPerFrame:F2} (one alone in {scores.SingleSubjectFrames:P0} of frames)");
        return scores;
    }

    private static object EvaluateLongClips(LongClipEvaluator evaluator, EvalSet set, IReadOnlyList<LongClipRoute> routes, Action<string>? log, CancellationToken cancellation)
    {
        var clips = new List<LongClipScore>();
        foreach (var route in routes)
        {
            for (var i = 0; i < set.Prompts.Count; i++)
            {
                var s = evaluator.Score(route, i, cancellation);
                clips.Add(s);
                log?.Invoke($"[{route.Name} {i + 1}/{set.Prompts.Count}] {s.Prompt} (seed {s.Seed}): world kept {s.WorldKept:P1}, subject {s.SubjectPresent:P0}, " +
                            $"subjects/frame {s.SubjectsPerFrame:F2}, seam ratio {s.SeamRatio:F2}, colour drift {s.ColourDrift:F1}");
            }
        }
        var summaries = routes.Select(r => LongClipEvaluator.Summarise(r.Name, clips.Where(c => c.Route == r.Name).ToList())).ToList();
        Console.WriteLine("| route | clips | world kept (mean) | worst clip | clips ≥ 95 % | subject present | subjects/frame | seam ratio median | worst seam | colour drift |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (var s in summaries)
        {
            Console.WriteLine($"| {s.Route} | {s.Clips} | {s.WorldKeptMean:P1} | {s.WorldKeptMin:P1} | {s.ClipsKeepingWorld} | {s.SubjectPresentMean:P1} | {s.SubjectsPerFrameMean:F2} | " +
                              $"{s.SeamRatioMedian:F2} | {s.SeamRatioWorst:F2} | {s.ColourDriftMean:F1} |");
        }
        return new { summaries, clips };
    }
}
