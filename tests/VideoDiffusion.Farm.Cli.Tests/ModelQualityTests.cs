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
        // issue #2's bars, met
        Assert.True(scores.BackgroundRight >= 0.95, $"background right {scores.BackgroundRight:P1} < 95 %");
        Assert.True(scores.ColourPresence >= 0.90, $"colour present {scores.ColourPresence:P1} < 90 %");
        // not met yet (bars: 85 %): these floors only stop regressions below the shipped model (40 % and 75 %)
        Assert.True(scores.DirectionRight >= 0.35, $"direction right {scores.DirectionRight:P1} fell below the shipped 40 %");
        Assert.True(scores.ContextKept >= 0.68, $"context kept {scores.ContextKept:P1} fell below the shipped 75 %");
    }
}
