using VideoDiffusion.Farm.Cli.Evaluation;
using VideoDiffusion.Farm.Cli.Rendering;
using VideoDiffusion.Farm.Diffusion.Models;
using VideoDiffusion.Farm.Diffusion.Rendering;

namespace VideoDiffusion.Farm.Cli.Tests;

/// <summary>Long renders: seams hidden, and moving subjects keep their world window after window.</summary>
public class LongVideoQualityTests
{
    [Fact]
    public void SixtySecondCoDenoiseSyncingEveryStepHidesSeamsBetterThanNotSyncing()
    {
        using var model = DiffusionModel.Load(Path.Combine(RepositoryPaths.Root, "models", "moonwalk-tiny"), new Diffusion.Onnx.OnnxRuntimeSettings { IntraOpThreads = 2 });
        var renderer = new ReferenceClipRenderer(model);
        var request = new RenderRequest
        {
            Prompt = "Bluey walking on the moon after coming out of the spaceship",
            Seconds = 60,
            Window = 16,
            Overlap = 4,
        };
        var synced = renderer.Render(RenderJobSpec.Resolve(request with { SyncEvery = 1 }, model.Manifest), null, CancellationToken.None);
        var unsynced = renderer.Render(RenderJobSpec.Resolve(request with { SyncEvery = 0 }, model.Manifest), null, CancellationToken.None);
        Console.WriteLine($"seam ratio: sync-every 1 {synced.Quality.SeamRatio:F3}, sync-every 0 {unsynced.Quality.SeamRatio:F3}");
        Assert.True(synced.Spec.KeyframePass, "a 60 s co-denoise job is anchored on keyframes by default");
        // the seam bar; moonwalk-tiny measures 1.09 here (1.10 with sync-every 0)
        Assert.True(synced.Quality.SeamRatio <= 1.5, $"seam ratio {synced.Quality.SeamRatio:F3} > 1.5");
        Assert.True(synced.Quality.SeamRatio < unsynced.Quality.SeamRatio,
            $"sync-every 1 ({synced.Quality.SeamRatio:F3}) is not below sync-every 0 ({unsynced.Quality.SeamRatio:F3})");
    }

    /// <summary>
    /// Moving subjects over several windows at the defaults (anchored co-denoise): with the keyframe pass at full
    /// guidance and the frame stage interpolating between keyframes, these four clips (one per world) kept their world
    /// in 13–67 % of frames.
    /// </summary>
    [Theory]
    [InlineData(6, 8.0)]
    [InlineData(13, 8.0)]
    [InlineData(16, 8.0)]
    [InlineData(24, 8.0)]
    public void MovingSubjectsKeepTheirWorldOverManyWindows(int prompt, double seconds)
    {
        using var model = DiffusionModel.Load(RepositoryPaths.MoonwalkTiny, new Diffusion.Onnx.OnnxRuntimeSettings { IntraOpThreads = 2 });
        var set = EvalSet.Load(Path.Combine(RepositoryPaths.Root, "tools", "model-kit", "eval", "long-tuning.json"));
        Assert.True(set.Prompts[prompt].Moving, $"{set.Prompts[prompt].Prompt} does not move sideways");
        var score = new LongClipEvaluator(model, set, seconds).Score(LongClipRoute.All[0], prompt);
        Console.WriteLine(score);
        Assert.True(score.WorldKept >= LongClipEvaluator.ClipKeepsWorld, $"{score.Prompt}: world kept in {score.WorldKept:P1} of frames");
        Assert.True(score.SubjectPresent >= 0.9, $"{score.Prompt}: subject present in {score.SubjectPresent:P1} of frames");
    }
}
