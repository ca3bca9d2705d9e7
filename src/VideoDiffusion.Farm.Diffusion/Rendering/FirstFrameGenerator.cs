using VideoDiffusion.Farm.Diffusion.Denoising;
using VideoDiffusion.Farm.Diffusion.Models;
using VideoDiffusion.Farm.Diffusion.Planning;
using VideoDiffusion.Farm.Diffusion.Sampling;
using VideoDiffusion.Farm.Diffusion.Tensors;

namespace VideoDiffusion.Farm.Diffusion.Rendering;

/// <summary>
/// Lays out a clip's opening latent frame with the model's first-frame model, then gives it to every window that
/// holds that frame as clean context. The first-frame model sees the whole frame at once (the video denoiser's
/// convolutions only see neighbours, and from pure noise it may grow a second ship or subject), and the video
/// denoiser continues a given frame faithfully. Deterministic in the job's seed, so every engine, and every window
/// that needs it, computes the same frame without passing it around.
/// </summary>
public static class FirstFrameGenerator
{
    /// <summary>The absolute latent frame the first-frame model lays out.</summary>
    public const int Frame = 0;

    /// <summary>Window-steps the first frame costs (a one-frame window through every sampler step).</summary>
    public static long WindowSteps(RenderJobSpec spec) => spec.FirstFramePass ? spec.Steps : 0;

    /// <summary>
    /// Samples the opening frame from the job's noise for latent frame 0 and the prompt at that frame, at the model's
    /// first-frame guidance (<c>guidance.firstFrame</c>) when it names one.
    /// <paramref name="stepped"/> is told after every step (progress).
    /// </summary>
    public static LatentTensor Generate(GuidedDenoiser firstFrame, ModelManifest manifest, RenderJobSpec spec, ConditioningPlanner conditioning, Action? stepped = null)
    {
        var window = WindowFactory.Create(manifest, spec.Seed, conditioning, new WindowSpan(0, Frame, 1), [Frame], 1f);
        var guidance = new GuidanceScale(manifest.Guidance.FirstFrame ?? spec.Guidance, spec.GuidanceFocus);
        var batcher = new WindowStepBatcher(firstFrame, new FlowMatchEulerScheduler(spec.Steps, spec.Shift), conditioning.Unconditional, guidance, 1);
        for (var step = 0; step < spec.Steps; step++)
        {
            batcher.Step(step, [window]);
            stepped?.Invoke();
        }
        return window.Latents;
    }

    /// <summary>Whether a window over <paramref name="absoluteFrames"/> of a job is given the first frame.</summary>
    public static bool Needed(RenderJobSpec spec, IReadOnlyList<int> absoluteFrames) => spec.FirstFramePass && absoluteFrames.Contains(Frame);

    /// <summary>Gives the opening frame to a window over <paramref name="absoluteFrames"/>, where it holds frame 0.</summary>
    public static void GiveTo(WindowState window, IReadOnlyList<int> absoluteFrames, LatentTensor opening)
    {
        for (var local = 0; local < absoluteFrames.Count; local++)
        {
            if (absoluteFrames[local] == Frame)
            {
                window.SetContextFrame(local, opening.Frame(0));
            }
        }
    }
}
