using VideoDiffusion.Farm.Cli.Evaluation;
using VideoDiffusion.Farm.Diffusion.Models;

namespace VideoDiffusion.Farm.Cli.Tests;

/// <summary>The shipped model, decoded by its exported ONNX files, on the model kit's fixed evaluation set.</summary>
public class ModelQualityTests
{
    [Fact]
    public void MoonwalkTinyKeepsItsMeasuredQuality()
    {
        using var model = DiffusionModel.Load(RepositoryPaths.MoonwalkTiny, new Diffusion.Onnx.OnnxRuntimeSettings { IntraOpThreads = 2 });
        var scores = new ModelEvaluator(model, EvalSet.Load(Path.Combine(RepositoryPaths.Root, "tools", "model-kit", "eval", "eval-set.json"))).Evaluate();
        Console.WriteLine(scores);
        Assert.Equal(64, scores.Prompts);
        // the model's quality bars (measured here: 100 %, 98.3 %, 88.6 % = 31 of 35, 87.5 % = 28 of 32)
        Assert.True(scores.BackgroundRight >= 0.95, $"background right {scores.BackgroundRight:P1} < 95 %");
        Assert.True(scores.ColourPresence >= 0.90, $"colour present {scores.ColourPresence:P1} < 90 %");
        Assert.True(scores.ContextKept >= 0.85, $"context kept {scores.ContextKept:P1} < 85 %");
        // a CPU whose floating-point kernels round differently may flip a borderline prompt over 20 sampling steps, so
        // the floor allows one prompt under the 85 % bar (29 of 35)
        Assert.True(scores.DirectionRight >= 0.82, $"direction right {scores.DirectionRight:P1} < 82 % (bar 85 %, measured 88.6 %)");
    }
}
