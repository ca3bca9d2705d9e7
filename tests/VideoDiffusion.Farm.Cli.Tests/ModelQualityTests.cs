using VideoDiffusion.Farm.Cli.Evaluation;
using VideoDiffusion.Farm.Diffusion.Models;

namespace VideoDiffusion.Farm.Cli.Tests;

/// <summary>The shipped model meets its bars (issue #2) when decoded by the exported ONNX files.</summary>
public class ModelQualityTests
{
    [Fact]
    public void MoonwalkTinyMeetsItsQualityBars()
    {
        var root = FarmProcess.RepositoryRoot;
        using var model = DiffusionModel.Load(Path.Combine(root, "models", "moonwalk-tiny"), new Diffusion.Onnx.OnnxRuntimeSettings { IntraOpThreads = 2 });
        var scores = new ModelEvaluator(model, EvalSet.Load(Path.Combine(root, "tools", "model-kit", "eval", "eval-set.json"))).Evaluate();
        Assert.Equal(64, scores.Prompts);
        Assert.True(scores.BackgroundRight >= 0.95, $"background right {scores.BackgroundRight:P1} < 95 %");
        Assert.True(scores.ColourPresence >= 0.90, $"colour present {scores.ColourPresence:P1} < 90 %");
        Assert.True(scores.DirectionRight >= 0.85, $"direction right {scores.DirectionRight:P1} < 85 %");
        Assert.True(scores.ContextKept >= 0.85, $"context kept {scores.ContextKept:P1} < 85 %");
    }
}
