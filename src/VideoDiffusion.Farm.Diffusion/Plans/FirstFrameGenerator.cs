using VideoDiffusion.Farm.Diffusion.Denoising;
using VideoDiffusion.Farm.Diffusion.Models;
using VideoDiffusion.Farm.Diffusion.Planning;
using VideoDiffusion.Farm.Diffusion.Rendering;
using VideoDiffusion.Farm.Diffusion.Sampling;

namespace VideoDiffusion.Farm.Diffusion.Plans;

/// <summary>
/// Lays out a clip's opening latent frame with the model's first-frame model; the plan then gives it to every window
/// that holds that frame as clean context. The first-frame model sees the whole frame at once (the video denoiser's
/// convolutions only see neighbours, and from pure noise it may grow a second ship or subject), and the video
/// denoiser continues a given frame faithfully.
/// </summary>
public static class FirstFrameGenerator
{
    /// <summary>
    /// Samples the opening frame from the job's noise for latent frame 0 and the prompt at that frame, at the model's
    /// first-frame guidance (<c>guidance.firstFrame</c>) when it names one. <paramref name="stepped"/> is told after
    /// every step (progress).
    /// </summary>
    public static float[] Generate(GuidedDenoiser firstFrame, ModelManifest manifest, JobPlan plan, Action? stepped = null)
    {
        var spec = plan.Spec;
        int[] frames = [JobPlan.FirstFrameIndex];
        var window = new WindowState(new WindowSpan(0, JobPlan.FirstFrameIndex, 1), plan.NoiseFor(frames),
            plan.Prompts.ForFrames(frames, spec.Storyboard, plan.Latent.TemporalFactor, spec.Fps));
        var guidance = new GuidanceScale(manifest.Guidance.FirstFrame ?? spec.Guidance, spec.GuidanceFocus);
        var loop = new WindowStepLoop(new FlowMatchEulerScheduler(spec.Steps, spec.Shift), plan.Prompts.Unconditional, guidance);
        var stepper = new BatchedStepper(firstFrame, 1, stepped: _ => stepped?.Invoke());
        loop.Run([window], 0, spec.Steps, FusionSchedule.Never, stepper);
        return window.Latents.Frame(0).ToArray();
    }
}
