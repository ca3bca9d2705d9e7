using VideoDiffusion.Farm.Diffusion.Models;
using VideoDiffusion.Farm.Diffusion.Noise;
using VideoDiffusion.Farm.Diffusion.Planning;
using VideoDiffusion.Farm.Diffusion.Sampling;
using VideoDiffusion.Farm.Diffusion.Tensors;

namespace VideoDiffusion.Farm.Diffusion.Rendering;

/// <summary>What a strategy needs: the model, the resolved job, conditioning, a batcher, timings and progress.</summary>
public sealed class RenderContext
{
    private long _done;
    private LatentTensor? _firstFrame;

    public RenderContext(DiffusionModel model, RenderJobSpec spec, IProgress<RenderProgress>? progress, CancellationToken cancellation)
    {
        Model = model;
        Spec = spec;
        Progress = progress;
        Cancellation = cancellation;
        Timings = new RenderTimings();
        ConditioningPlanner? planner = null;
        Timings.TextEncoding = RenderTimings.Measure(() => planner = new ConditioningPlanner(spec, model.Manifest, model.TextEncoder.Encode));
        Conditioning = planner!;
        Scheduler = new FlowMatchEulerScheduler(spec.Steps, spec.Shift);
        Batcher = new WindowStepBatcher(model.Denoiser, Scheduler, Conditioning.Unconditional, spec.GuidanceScale, spec.MaxBatch);
    }

    public DiffusionModel Model { get; }
    public RenderJobSpec Spec { get; }
    public IProgress<RenderProgress>? Progress { get; }
    public CancellationToken Cancellation { get; }
    public RenderTimings Timings { get; }
    public ConditioningPlanner Conditioning { get; }
    public FlowMatchEulerScheduler Scheduler { get; }
    public WindowStepBatcher Batcher { get; }
    public long TotalWindowSteps { get; set; }

    /// <summary>Initial noise of absolute latent frames <paramref name="frames"/>, in order.</summary>
    public LatentTensor NoiseFor(IReadOnlyList<int> frames) => WindowFactory.NoiseFor(Model.Manifest, Spec.Seed, frames);

    /// <summary>Time spent laying out the first frame (part of denoising).</summary>
    public TimeSpan FirstFrameTime { get; private set; }

    /// <summary>A window's starting state; a window holding the clip's first frame is given it as context.</summary>
    public WindowState NewWindow(WindowSpan span, IReadOnlyList<int> absoluteFrames, float frameStride = 1f)
    {
        var window = WindowFactory.Create(Model.Manifest, Spec.Seed, Conditioning, span, absoluteFrames, frameStride);
        if (FirstFrameGenerator.Needed(Spec, absoluteFrames))
        {
            FirstFrameGenerator.GiveTo(window, absoluteFrames, FirstFrame());
        }
        return window;
    }

    /// <summary>The clip's opening frame from the first-frame model, generated once.</summary>
    private LatentTensor FirstFrame()
    {
        if (_firstFrame is null)
        {
            var model = Model.FirstFrame ?? throw new InvalidOperationException($"{Model.Manifest.Name} has no first-frame model");
            FirstFrameTime = RenderTimings.Measure(() => _firstFrame = FirstFrameGenerator.Generate(model, Model.Manifest, Spec, Conditioning, () =>
            {
                Cancellation.ThrowIfCancellationRequested();
                Progress?.Report(new RenderProgress("first frame", ++_done, TotalWindowSteps));
            }));
        }
        return _firstFrame!;
    }

    /// <summary>One sampler step for these windows, counted and reported.</summary>
    public void Step(int step, IReadOnlyList<WindowState> windows, string phase)
    {
        Cancellation.ThrowIfCancellationRequested();
        Batcher.Step(step, windows);
        _done += windows.Count;
        Progress?.Report(new RenderProgress(phase, _done, TotalWindowSteps));
    }

    public void Fuse(WindowPlan plan, IReadOnlyList<WindowState> windows) =>
        Timings.Fusion += RenderTimings.Measure(() => ClipAssembler.FuseOverlaps(plan, windows, Spec.Blend));
}
