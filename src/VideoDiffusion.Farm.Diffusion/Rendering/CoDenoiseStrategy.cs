using VideoDiffusion.Farm.Diffusion.Tensors;

namespace VideoDiffusion.Farm.Diffusion.Rendering;

/// <summary>All windows step together; every <c>syncEvery</c> steps shared frames become the weighted mean of both windows.</summary>
public sealed class CoDenoiseStrategy : IRenderStrategy
{
    public long WindowSteps(RenderJobSpec spec) => (long)spec.Plan.Windows.Count * spec.Steps;

    public LatentTensor Render(RenderContext context) => Denoise(context, PassLayout.For(context.Spec, PassLayout.Main), "denoise");

    /// <summary>Co-denoises the windows of a pass (the whole clip, or the keyframe sequence at a coarse stride).</summary>
    internal static LatentTensor Denoise(RenderContext context, PassLayout layout, string phase)
    {
        var windows = layout.Plan.Windows.Select(span => context.NewWindow(span, layout.FramesOf(span.Index), layout.Stride)).ToList();
        var steps = context.Spec.Steps;
        for (var step = 0; step < steps; step++)
        {
            context.Step(step, windows, phase);
            if (layout.SyncsAfter(step))
            {
                context.Fuse(layout.Plan, windows);
            }
        }
        // without a sync on the last step the overlaps are cross-faded once here
        if (layout.FusesAfterSampling(steps))
        {
            context.Fuse(layout.Plan, windows);
        }
        return ClipAssembler.Assemble(layout.Plan, windows.Select(w => w.Latents).ToList());
    }
}
