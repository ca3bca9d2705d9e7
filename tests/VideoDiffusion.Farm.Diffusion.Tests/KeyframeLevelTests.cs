using VideoDiffusion.Farm.Diffusion.Fusion;
using VideoDiffusion.Farm.Diffusion.Plans;
using VideoDiffusion.Farm.Diffusion.Rendering;

namespace VideoDiffusion.Farm.Diffusion.Tests;

/// <summary>Keyframe levels: a model that knows coarse strides gets a short chain on top and levels anchored below it.</summary>
public class KeyframeLevelTests(MoonwalkModelFixture fixture) : IClassFixture<MoonwalkModelFixture>
{
    private static readonly int[] WanShapeStrides = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512];

    // 8 s at 8 fps: 64 latent frames, 5 windows of 16; at keyframe stride 2, 32 keyframes in 3 windows, so a level at
    // stride 8 (8 keyframes, one window) goes on top with the model's own strides 1, 2, 4 and 8
    private static readonly RenderRequest Leveled = new() { Prompt = "a blue cube moving right in space", Seconds = 8, Steps = 3, KeyframeStride = 2, Seed = 5 };

    private RenderJobSpec Spec(RenderRequest request) => RenderJobSpec.Resolve(request, fixture.Model.Manifest);

    [Fact]
    public void LevelsAreAddedWhileTheyShortenTheCriticalPath()
    {
        // a 10-minute Wan-shaped clip: 2,400 latent frames, keyframes every 8 in 19 windows of 21, then every 64 (3 windows), then every 512 (1)
        Assert.Equal([64, 512], RenderJobSpec.CoarseStrides(2400, 8, 21, 5, WanShapeStrides));
        // strides at most half a window apart: with windows of 8, a level may be at most 4 times coarser
        Assert.Equal([32, 128, 512], RenderJobSpec.CoarseStrides(2400, 8, 8, 2, WanShapeStrides));
        // a model that knows no stride coarser than its keyframe stride keeps one chained keyframe pass
        Assert.Empty(RenderJobSpec.CoarseStrides(2400, 8, 21, 5, [1, 2, 4, 8]));
        // one keyframe window needs no level above it, and a chain of two gains nothing from one: its chain plus a window is two windows too
        Assert.Empty(RenderJobSpec.CoarseStrides(100, 8, 21, 5, WanShapeStrides));
        Assert.Empty(RenderJobSpec.CoarseStrides(24, 2, 8, 2, [1, 2, 4, 8]));
        Assert.Equal([8], RenderJobSpec.CoarseStrides(36, 2, 8, 2, [1, 2, 4, 8]));
        Assert.Empty(Spec(Leveled with { KeyframeStride = null }).KeyframeLevelStrides);
        Assert.Empty(Spec(Leveled with { Anchors = KeyframeAnchors.None }).KeyframeLevelStrides);
    }

    [Fact]
    public void TheTopLevelIsChainedAndEveryLevelBelowIsAnchoredOnTheOneAbove()
    {
        var spec = Spec(Leveled);
        Assert.Equal([8], spec.KeyframeLevelStrides);
        var passes = JobPlanner.Passes(spec);
        Assert.Equal(["key1", PassPlan.Keyframe, PassPlan.Main], passes.Select(p => p.Name));
        Assert.True(passes[0].Chained);
        Assert.Null(passes[0].AnchorPass);
        Assert.Equal(8, passes[0].Stride);
        Assert.Single(passes[0].Windows.Windows);
        Assert.False(passes[1].Chained);
        Assert.Equal("key1", passes[1].AnchorPass);
        Assert.True(passes[1].Fusion.Fuses);
        Assert.Equal(3, passes[1].Windows.Windows.Count);
        Assert.Equal(PassPlan.Keyframe, passes[2].AnchorPass);
        Assert.All(passes.Take(2), p => Assert.Equal(spec.MultiWindowGuidance, p.Guidance));
        var plan = JobPlanner.Encode(spec, fixture.Model.Manifest, fixture.Model.TextEncoder.Encode);
        Assert.All(passes[1].Windows.Windows, w => Assert.Equal([new WindowRef("key1", 0)], plan.DependenciesOf(new WindowRef(PassPlan.Keyframe, w.Index))));
        Assert.Equal((1 + 3 + 5) * 3L + (spec.FirstFramePass ? 3 : 0), JobPlanner.WindowSteps(spec));
    }

    [Fact]
    public void EachLevelKeepsTheFramesOfTheLevelAboveExactly()
    {
        var plan = JobPlanner.Build(Spec(Leveled), fixture.Model);
        var finished = new ReferenceRenderer(fixture.Model).Run(plan, new RenderTimings());
        AssertKeepsFrames(finished, plan.Pass("key1"), plan.Pass(PassPlan.Keyframe));
        AssertKeepsFrames(finished, plan.Pass(PassPlan.Keyframe), plan.Pass(PassPlan.Main));
    }

    /// <summary>Every frame of <paramref name="above"/> is the frame at the same latent frame of <paramref name="below"/>.</summary>
    private static void AssertKeepsFrames(Dictionary<WindowRef, Tensors.LatentTensor> finished, PassPlan above, PassPlan below)
    {
        var Assemble = (PassPlan pass) => ClipAssembler.Assemble(pass.Windows, pass.Windows.Windows.Select(w => finished[new WindowRef(pass.Name, w.Index)]).ToList());
        var coarse = Assemble(above);
        var fine = Assemble(below);
        var ratio = above.Stride / below.Stride;
        for (var j = 0; j < coarse.Frames; j++)
        {
            var index = j * ratio;
            var owner = below.Windows.OwnerOf(index);
            var inOverlap = owner + 1 < below.Windows.Windows.Count && index >= below.Windows.Windows[owner + 1].Start;
            var expected = coarse.Frame(j).ToArray();
            var actual = fine.Frame(index).ToArray();
            Assert.True(inOverlap ? expected.Zip(actual).All(p => Math.Abs(p.First - p.Second) < 1e-5) : expected.SequenceEqual(actual),
                $"{above.Name} frame {j} is not {below.Name} frame {index}");
        }
    }
}
