using System.CommandLine;
using System.Text.Json;
using VideoDiffusion.Farm.Cli.Evaluation;
using VideoDiffusion.Farm.Cli.Rendering;
using VideoDiffusion.Farm.Diffusion.Models;
using VideoDiffusion.Farm.Diffusion.Onnx;

namespace VideoDiffusion.Farm.Cli.Commands;

/// <summary><c>farm eval-model</c>: renders the model kit's evaluation set with the ONNX files and prints the scores.</summary>
public static class EvalModelCommand
{
    public static Command Create()
    {
        var model = new Option<string?>("--model") { Description = "Model folder or name (default models/moonwalk-tiny)" };
        var set = new Option<FileInfo>("--set") { Description = "Evaluation set JSON", DefaultValueFactory = _ => new FileInfo("tools/model-kit/eval/eval-set.json") };
        var json = new Option<string?>("--json") { Description = "Also write the scores as JSON" };
        var quiet = new Option<bool>("--quiet") { Description = "Only the summary" };
        var guidance = new Option<float?>("--guidance") { Description = "Guidance scale (default: the model's)" };
        var focus = new Option<float?>("--guidance-focus") { Description = "Guidance focus, 0 (plain) to 8 (default: the model's)" };
        var threads = new Option<int>("--threads") { Description = "ONNX Runtime threads", DefaultValueFactory = _ => Math.Max(1, Environment.ProcessorCount) };
        var command = new Command("eval-model", "Score a model on the evaluation set (background, colour, direction, context)") { model, set, json, quiet, guidance, focus, threads };
        command.SetAction(result =>
        {
            var setFile = result.GetValue(set)!;
            if (!setFile.Exists)
            {
                throw new InvalidOperationException($"evaluation set '{setFile.FullName}' does not exist");
            }
            using var loaded = DiffusionModel.Load(ModelLocator.Resolve(result.GetValue(model)), new OnnxRuntimeSettings { IntraOpThreads = result.GetValue(threads) });
            var evaluator = new ModelEvaluator(loaded, EvalSet.Load(setFile.FullName), result.GetValue(guidance), result.GetValue(focus));
            var scores = evaluator.Evaluate(result.GetValue(quiet) ? null : Console.WriteLine);
            Console.WriteLine($"prompts {scores.Prompts}: background right {scores.BackgroundRight:P1}, colour present {scores.ColourPresence:P1} of frames, " +
                              $"direction right {scores.DirectionRight:P1} of {scores.MovingPrompts} moving; context kept {scores.ContextKept:P1} of {scores.ContextCases}; " +
                              $"subjects per frame {scores.SubjectsPerFrame:F2} (one alone in {scores.SingleSubjectFrames:P0} of frames)");
            if (result.GetValue(json) is { } path)
            {
                File.WriteAllText(path, JsonSerializer.Serialize(scores, new JsonSerializerOptions { WriteIndented = true }));
            }
            return 0;
        });
        return command;
    }
}
