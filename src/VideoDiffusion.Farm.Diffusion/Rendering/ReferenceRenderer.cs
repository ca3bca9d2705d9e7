using VideoDiffusion.Farm.Diffusion.Models;
using VideoDiffusion.Farm.Diffusion.Plans;
using VideoDiffusion.Farm.Diffusion.Sampling;
using VideoDiffusion.Farm.Diffusion.Tensors;

namespace VideoDiffusion.Farm.Diffusion.Rendering;

/// <summary>
/// The single-process renderer: runs a job's plan pass by pass with the two primitives (co-denoise a pass, chain a
/// pass) in one process. The oracle the distributed farm must reproduce bit for bit.
/// </summary>
public sealed class ReferenceRenderer(DiffusionModel model)
{
    public RenderJobSpec Resolve(RenderRequest request) => RenderJobSpec.Resolve(request, model.Manifest);

    /// <summary>Plans the job and denoises the whole clip; returns its final latents (not yet decoded).</summary>
    public (LatentTensor Latents, RenderTimings Timings) Render(RenderJobSpec spec, IProgress<RenderProgress>? progress = null, CancellationToken cancellation = default)
    {
        var timings = new RenderTimings();
        var total = JobPlanner.WindowSteps(spec);
        long done = 0;
        void Report(string phase, long windowSteps)
        {
            cancellation.ThrowIfCancellationRequested();
            done += windowSteps;
            progress?.Report(new RenderProgress(phase, done, total));
        }

        JobPlan plan = null!;
        timings.TextEncoding = RenderTimings.Measure(() => plan = JobPlanner.Encode(spec, model.Manifest, model.TextEncoder.Encode));
        var firstFrameTime = RenderTimings.Measure(() => plan = JobPlanner.LayOutFirstFrame(plan, model, () => Report("first frame", 1)));
        var finished = Run(plan, timings, Report, cancellation);
        timings.Denoising += firstFrameTime;
        timings.WindowSteps += plan.FirstFrameWindowSteps;
        var output = plan.Output;
        return (ClipAssembler.Assemble(output.Windows, output.Windows.Windows.Select(w => finished[new WindowRef(output.Name, w.Index)]).ToList()), timings);
    }

    /// <summary>
    /// Runs every pass of a plan; returns the final latents of every window. <paramref name="stepped"/> is told the
    /// phase and the window-steps of every step.
    /// </summary>
    public Dictionary<WindowRef, LatentTensor> Run(JobPlan plan, RenderTimings timings, Action<string, long>? stepped = null, CancellationToken cancellation = default)
    {
        var spec = plan.Spec;
        var finished = new Dictionary<WindowRef, LatentTensor>();
        foreach (var pass in plan.Passes)
        {
            var loop = new WindowStepLoop(new FlowMatchEulerScheduler(spec.Steps, spec.Shift), plan.Prompts.Unconditional, plan.GuidanceOf(pass));
            var phase = pass.IsKeyframes ? "keyframes" : "denoise";
            // co-denoise: every window of the pass at once; chained: one window after another
            var groups = pass.Chained ? pass.Windows.Windows.Select(w => new[] { w }).ToList() : [pass.Windows.Windows.ToArray()];
            foreach (var group in groups)
            {
                var windows = group.Select(w => plan.Start(plan.Task(new WindowRef(pass.Name, w.Index)), (r, f) => finished[r].Frame(f))).ToList();
                var stepper = new BatchedStepper(model.Denoiser, spec.MaxBatch,
                    fuse: _ => timings.Fusion += RenderTimings.Measure(() => ClipAssembler.FuseOverlaps(pass.Windows, windows, spec.Blend)),
                    stepped: _ => stepped?.Invoke(phase, windows.Count));
                loop.Run(windows, 0, spec.Steps, pass.Fusion, stepper, cancellation);
                timings.Denoising += stepper.DenoiseTime;
                timings.WindowSteps += stepper.WindowSteps;
                timings.DenoiserCalls += stepper.DenoiserCalls;
                foreach (var window in windows)
                {
                    finished[new WindowRef(pass.Name, window.Span.Index)] = window.Latents;
                }
            }
        }
        return finished;
    }
}
