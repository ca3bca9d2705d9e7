using VideoDiffusion.Farm.Diffusion.Tensors;

namespace VideoDiffusion.Farm.Diffusion.Rendering;

/// <summary>
/// All windows step together; every <c>syncEvery</c> steps shared frames become the weighted mean of both windows.
/// With keyframe anchors (the default for more than one window), a coarse keyframe pass runs first and every window
/// is given the keyframes inside it as clean context, so all windows agree on the scene they fuse.
/// </summary>
public sealed class CoDenoiseStrategy : IRenderStrategy
{
    public long WindowSteps(RenderJobSpec spec) => KeyframeStrategy.PassWindowSteps(spec);

    public LatentTensor Render(RenderContext context)
    {
        var keyframes = context.Spec.KeyframePass ? KeyframeStrategy.Keyframes(context) : null;
        return Denoise(context, PassLayout.For(context.Spec, PassLayout.Main), "denoise", keyframes);
    }

    /// <summary>
    /// Co-denoises the windows of a pass (the whole clip, or the keyframe sequence at a coarse stride), optionally
    /// anchored on <paramref name="keyframes"/>. A layout that never syncs steps its windows independently and
    /// cross-fades the overlaps once at the end.
    /// </summary>
    internal static LatentTensor Denoise(RenderContext context, PassLayout layout, string phase, LatentTensor? keyframes = null)
    {
        var windows = layout.Plan.Windows.Select(span => context.NewWindow(span, layout.FramesOf(span.Index), layout.Stride)).ToList();
        if (keyframes is not null)
        {
            foreach (var window in windows)
            {
                KeyframeStrategy.GiveKeyframes(window, context.Spec.KeyframeStride, j => keyframes.Frame(j));
            }
        }
        var steps = context.Spec.Steps;
        for (var step = 0; step < steps; step++)
        {
            context.Step(step, windows, phase);
            if (layout.SyncsAfter(step))
            {
                context.Fuse(layout.Plan, windows);
            }
        }
        foreach (var window in windows)
        {
            window.ApplyContext();
        }
        // without a sync on the last step the overlaps are cross-faded once here
        if (layout.FusesAfterSampling(steps))
        {
            context.Fuse(layout.Plan, windows);
        }
        return ClipAssembler.Assemble(layout.Plan, windows.Select(w => w.Latents).ToList());
    }
}
