using VideoDiffusion.Farm.Diffusion.Models;
using VideoDiffusion.Farm.Diffusion.Planning;
using VideoDiffusion.Farm.Diffusion.Plans;
using VideoDiffusion.Farm.Diffusion.Rendering;
using VideoDiffusion.Farm.Diffusion.Sampling;
using VideoDiffusion.Farm.Diffusion.Text;

namespace VideoDiffusion.Farm.Diffusion.Tests;

/// <summary>Loads the shipped model once for the rendering tests.</summary>
public sealed class MoonwalkModelFixture : IDisposable
{
    public DiffusionModel Model { get; } = DiffusionModel.Load(RepositoryPaths.MoonwalkTiny, new Onnx.OnnxRuntimeSettings { IntraOpThreads = 2 });

    public void Dispose() => Model.Dispose();
}

public class ReferenceRendererTests(MoonwalkModelFixture fixture) : IClassFixture<MoonwalkModelFixture>
{
    private const string Prompt = "a red ball rolling left on the beach";

    private RenderJobSpec Spec(RenderRequest request) => RenderJobSpec.Resolve(request, fixture.Model.Manifest);

    private float[] Render(RenderRequest request) => new ReferenceRenderer(fixture.Model).Render(Spec(request)).Latents.Data;

    [Theory]
    [InlineData(RenderStrategy.CoDenoise)]
    [InlineData(RenderStrategy.Keyframes)]
    [InlineData(RenderStrategy.Autoregressive)]
    public void SameRequestAndSeedGiveIdenticalLatents(RenderStrategy strategy)
    {
        var request = new RenderRequest { Prompt = Prompt, Seconds = 5, Steps = 4, Strategy = strategy, Seed = 9 };
        Assert.Equal(Render(request), Render(request));
    }

    [Theory]
    [InlineData(RenderStrategy.CoDenoise)]
    [InlineData(RenderStrategy.Keyframes)]
    [InlineData(RenderStrategy.Autoregressive)]
    public void FirstFrameIsTheFirstFrameModelsLayoutWhateverTheWindows(RenderStrategy strategy)
    {
        var firstFrame = fixture.Model.FirstFrame ?? throw new InvalidOperationException("the shipped model has a first-frame model");
        var request = new RenderRequest { Prompt = Prompt, Seconds = 6, Steps = 3, Strategy = strategy };
        var spec = Spec(request);
        Assert.True(spec.FirstFramePass);
        Assert.NotNull(firstFrame);
        var expected = JobPlanner.Build(spec, fixture.Model).FirstFrame;
        foreach (var (window, overlap) in new[] { (16, 4), (8, 2), (12, 6) })
        {
            var latents = new ReferenceRenderer(fixture.Model).Render(Spec(request with { Window = window, Overlap = overlap })).Latents;
            Assert.Equal(expected, latents.Frame(0).ToArray());
        }
    }

    [Fact]
    public void FirstFrameCanBeSwitchedOffAndIsRequiredOnlyWhenAsked()
    {
        var request = new RenderRequest { Prompt = Prompt, Seconds = 2, Steps = 3 };
        Assert.False(Spec(request with { FirstFrame = false }).FirstFramePass);
        Assert.NotEqual(Render(request).Take(512), Render(request with { FirstFrame = false }).Take(512));
        var without = fixture.Model.Manifest with { Files = fixture.Model.Manifest.Files with { FirstFrame = null } };
        Assert.False(RenderJobSpec.Resolve(request, without).FirstFramePass);
        Assert.Equal("firstFrame", Assert.Throws<PlanException>(() => RenderJobSpec.Resolve(request with { FirstFrame = true }, without)).Field);
    }

    [Fact]
    public void DifferentSeedsGiveDifferentVideos()
    {
        var request = new RenderRequest { Prompt = Prompt, Seconds = 2, Steps = 3 };
        Assert.NotEqual(Render(request), Render(request with { Seed = 43 }));
    }

    [Fact]
    public void BatchSizeDoesNotChangeTheResult()
    {
        var request = new RenderRequest { Prompt = Prompt, Seconds = 8, Steps = 3, MaxBatch = 1 };
        var one = Render(request);
        var many = Render(request with { MaxBatch = 8 });
        var differing = one.Zip(many).Count(p => p.First != p.Second);
        var maxDiff = one.Zip(many).Max(p => Math.Abs(p.First - p.Second));
        Assert.True(differing == 0, $"{differing} values differ, by up to {maxDiff}");
    }

    [Fact]
    public void CoDenoiseLeavesOverlapsIdenticalInBothWindows()
    {
        var spec = Spec(new RenderRequest { Prompt = Prompt, Seconds = 6, Steps = 3, SyncEvery = 1, Anchors = KeyframeAnchors.None });
        var plan = JobPlanner.Build(spec, fixture.Model);
        var pass = plan.Output;
        var windows = pass.Windows.Windows.Select(w => plan.Start(plan.Task(new WindowRef(pass.Name, w.Index)), (_, _) => throw new InvalidOperationException())).ToList();
        var fusions = 0;
        var stepper = new BatchedStepper(fixture.Model.Denoiser, 8, fuse: _ =>
        {
            Assert.NotEqual(windows[0].Latents.FrameRange(12, 4).ToArray(), windows[1].Latents.FrameRange(0, 4).ToArray());
            ClipAssembler.FuseOverlaps(pass.Windows, windows, spec.Blend);
            Assert.Equal(windows[0].Latents.FrameRange(12, 4).ToArray(), windows[1].Latents.FrameRange(0, 4).ToArray());
            fusions++;
        });
        new WindowStepLoop(new FlowMatchEulerScheduler(spec.Steps, spec.Shift), plan.Prompts.Unconditional, plan.GuidanceOf(pass)).Run(windows, 0, 1, pass.Fusion, stepper);
        Assert.Equal(1, fusions);
    }

    [Fact]
    public void AutoregressiveWindowsStartWithThePreviousWindowsTail()
    {
        var spec = Spec(new RenderRequest { Prompt = Prompt, Seconds = 4, Steps = 3, Strategy = RenderStrategy.Autoregressive, Window = 16, Overlap = 4 });
        var (latents, _) = new ReferenceRenderer(fixture.Model).Render(spec);
        Assert.Equal(spec.LatentFrames, latents.Frames);
        Assert.Equal(3, spec.Plan.Windows.Count);
    }

    [Theory]
    [InlineData(RenderStrategy.Keyframes)]
    [InlineData(RenderStrategy.CoDenoise)] // anchored by default: more than one window
    public void KeyframesAreKeptExactlyInTheClip(RenderStrategy strategy)
    {
        var spec = Spec(new RenderRequest { Prompt = Prompt, Seconds = 6, Steps = 3, Strategy = strategy, KeyframeStride = 8 });
        Assert.True(spec.KeyframePass);
        // keyframes at frames 0, 8, ... are given clean to pass 2 and survive it unchanged
        var plan = JobPlanner.Build(spec, fixture.Model);
        var finished = new ReferenceRenderer(fixture.Model).Run(plan, new RenderTimings());
        var Assemble = (PassPlan pass) => ClipAssembler.Assemble(pass.Windows, pass.Windows.Windows.Select(w => finished[new WindowRef(pass.Name, w.Index)]).ToList());
        var clip = Assemble(plan.Pass(PassPlan.Main));
        var keyframes = Assemble(plan.Pass(PassPlan.Keyframe));
        Assert.Equal(clip.Frame(0).ToArray(), new ReferenceRenderer(fixture.Model).Render(spec).Latents.Frame(0).ToArray());
        foreach (var (frame, j) in Enumerable.Range(0, keyframes.Frames).Select(j => (j * spec.KeyframeStride, j)))
        {
            var owner = spec.Plan.OwnerOf(frame);
            var inOverlap = owner + 1 < spec.Plan.Windows.Count && frame >= spec.Plan.Windows[owner + 1].Start;
            var expected = keyframes.Frame(j).ToArray();
            var actual = clip.Frame(frame).ToArray();
            if (inOverlap)
            {
                Assert.True(expected.Zip(actual).All(p => Math.Abs(p.First - p.Second) < 1e-5), $"keyframe {frame} in an overlap");
            }
            else
            {
                Assert.Equal(expected, actual);
            }
        }
    }

    [Fact]
    public void CoDenoiseIsAnchoredOnKeyframesOnlyWhenItHasMoreThanOneWindow()
    {
        var oneWindow = new RenderRequest { Prompt = Prompt, Seconds = 2, Window = 16 };
        var manyWindows = oneWindow with { Seconds = 6 };
        Assert.False(Spec(oneWindow).KeyframePass);
        Assert.True(Spec(manyWindows).KeyframePass);
        Assert.False(Spec(manyWindows with { Anchors = KeyframeAnchors.None }).KeyframePass);
        Assert.True(Spec(oneWindow with { Anchors = KeyframeAnchors.Keyframes }).KeyframePass);
        Assert.True(Spec(oneWindow with { Strategy = RenderStrategy.Keyframes }).KeyframePass);
        Assert.False(Spec(manyWindows with { Strategy = RenderStrategy.Autoregressive }).KeyframePass);
        // 48 latent frames: 4 windows of 16, plus one keyframe window (6 keyframes at stride 8) and the first frame
        Assert.Equal(4L * 3 + 1 * 3 + 3, JobPlanner.WindowSteps(Spec(manyWindows with { Steps = 3 })));
        Assert.Equal(4L * 3 + 1 * 3, JobPlanner.WindowSteps(Spec(manyWindows with { Steps = 3, FirstFrame = false })));
        Assert.NotEqual(Render(manyWindows with { Steps = 2 }), Render(manyWindows with { Steps = 2, Anchors = KeyframeAnchors.None }));
    }

    [Theory]
    [InlineData(RenderStrategy.Keyframes, KeyframeAnchors.None)]
    [InlineData(RenderStrategy.Autoregressive, KeyframeAnchors.Keyframes)]
    public void ContradictoryAnchorsAreRefused(RenderStrategy strategy, KeyframeAnchors anchors) =>
        Assert.Equal("anchors", Assert.Throws<PlanException>(() => Spec(new RenderRequest { Prompt = Prompt, Seconds = 6, Strategy = strategy, Anchors = anchors })).Field);

    [Fact]
    public void AWindowSpanningAPromptChangeMixesBothPrompts()
    {
        var board = Storyboard.Parse("""[{"prompt":"a red ball on the beach","from":0,"to":1},{"prompt":"a blue cube in space","from":1,"to":3}]""");
        var spec = Spec(new RenderRequest { Storyboard = board, Steps = 2 });
        var prompts = PromptStates.Encode(spec.Storyboard, fixture.Model.TextEncoder.Encode);
        TextConditioning ForRange(int start, int length) =>
            prompts.ForFrames(Enumerable.Range(start, length), spec.Storyboard, fixture.Model.Manifest.Latent.TemporalFactor, spec.Fps);
        var red = fixture.Model.TextEncoder.Encode("a red ball on the beach");
        var blue = fixture.Model.TextEncoder.Encode("a blue cube in space");
        var mixed = ForRange(4, 8); // frames 4..7 red (< 8 = 1 s), 8..11 blue
        var expected = TextConditioning.Mix([(red, 0.5f), (blue, 0.5f)]);
        Assert.Equal(expected.States, mixed.States);
        Assert.Equal(blue.States, ForRange(8, 8).States);
    }

    [Theory]
    [InlineData(0.0, "seconds")]
    [InlineData(-3.0, "seconds")]
    [InlineData(99999.0, "seconds")]
    public void BadSecondsAreRefused(double seconds, string field) =>
        Assert.Equal(field, Assert.Throws<PlanException>(() => Spec(new RenderRequest { Prompt = Prompt, Seconds = seconds })).Field);

    [Fact]
    public void BadRequestsNameTheirField()
    {
        Assert.Equal("prompt", Assert.Throws<PlanException>(() => Spec(new RenderRequest { Prompt = "  " })).Field);
        Assert.Equal("steps", Assert.Throws<PlanException>(() => Spec(new RenderRequest { Prompt = Prompt, Steps = 0 })).Field);
        Assert.Equal("guidance", Assert.Throws<PlanException>(() => Spec(new RenderRequest { Prompt = Prompt, Guidance = -1 })).Field);
        Assert.Equal("window", Assert.Throws<PlanException>(() => Spec(new RenderRequest { Prompt = Prompt, Window = 64 })).Field);
        Assert.Equal("overlap", Assert.Throws<PlanException>(() => Spec(new RenderRequest { Prompt = Prompt, Overlap = 9 })).Field);
        Assert.Equal("syncEvery", Assert.Throws<PlanException>(() => Spec(new RenderRequest { Prompt = Prompt, SyncEvery = -1 })).Field);
        Assert.Equal("guidanceFocus", Assert.Throws<PlanException>(() => Spec(new RenderRequest { Prompt = Prompt, GuidanceFocus = -1 })).Field);
        Assert.Equal("guidanceFocus", Assert.Throws<PlanException>(() => Spec(new RenderRequest { Prompt = Prompt, GuidanceFocus = 9 })).Field);
    }

    [Fact]
    public void GuidanceFocusDefaultsToTheModelsAndChangesTheVideo()
    {
        var request = new RenderRequest { Prompt = Prompt, Seconds = 2, Steps = 4 };
        Assert.Equal(fixture.Model.Manifest.Guidance.Focus, Spec(request).GuidanceFocus);
        var focused = request with { GuidanceFocus = 1f };
        Assert.Equal(1f, Spec(focused).GuidanceFocus);
        Assert.NotEqual(Render(request), Render(focused));
        Assert.Equal(Render(focused), Render(focused));
    }

    [Fact]
    public void KeyframeAndUnanchoredMultiWindowPassesTakeTheModelsMultiWindowGuidanceUnlessTheRequestSetsIt()
    {
        var request = new RenderRequest { Prompt = Prompt, Seconds = 8, Steps = 2, Window = 8, Overlap = 2 };
        Assert.Equal(fixture.Model.Manifest.Guidance.MultiWindow, Spec(request).MultiWindowGuidance);
        var plan = JobPlanner.Encode(Spec(request), fixture.Model.Manifest, fixture.Model.TextEncoder.Encode);
        Assert.Equal(Spec(request).MultiWindowGuidance, plan.GuidanceOf(plan.Pass(PassPlan.Keyframe)).Scale);
        Assert.Equal(Spec(request).Guidance, plan.GuidanceOf(plan.Pass(PassPlan.Main)).Scale);
        var plain = JobPlanner.Passes(Spec(request with { Anchors = KeyframeAnchors.None }));
        Assert.Equal(Spec(request).MultiWindowGuidance, Assert.Single(plain).Guidance);
        var oneWindow = JobPlanner.Passes(Spec(request with { Seconds = 1, Strategy = RenderStrategy.Autoregressive }));
        Assert.Equal(Spec(request).Guidance, Assert.Single(oneWindow).Guidance);
        var oneKeyframeWindow = JobPlanner.Passes(Spec(request with { Seconds = 3 }));
        Assert.Equal([Spec(request).MultiWindowGuidance, Spec(request).Guidance], oneKeyframeWindow.Select(p => p.Guidance));
        var chained = request with { MultiWindowGuidance = 3.5f };
        Assert.Equal(3.5f, Spec(chained).MultiWindowGuidance);
        Assert.NotEqual(Render(request), Render(chained));
        var error = Assert.Throws<PlanException>(() => Spec(request with { MultiWindowGuidance = -1f }));
        Assert.Equal("multiWindowGuidance", error.Field);
    }

    [Fact]
    public void CancellationStopsTheRender()
    {
        using var cts = new CancellationTokenSource();
        var progress = new Progress<RenderProgress>();
        var spec = Spec(new RenderRequest { Prompt = Prompt, Seconds = 20, Steps = 10 });
        cts.Cancel();
        Assert.Throws<OperationCanceledException>(() => new ReferenceRenderer(fixture.Model).Render(spec, null, cts.Token));
    }
}
