using VideoDiffusion.Farm.Diffusion.Planning;
using VideoDiffusion.Farm.Diffusion.Tensors;

namespace VideoDiffusion.Farm.Diffusion.Rendering;

/// <summary>All windows step together; every <c>syncEvery</c> steps shared frames become the weighted mean of both windows.</summary>
public sealed class CoDenoiseStrategy : IRenderStrategy
{
    public long WindowSteps(RenderJobSpec spec) => (long)spec.Plan.Windows.Count * spec.Steps;

    public LatentTensor Render(RenderContext context) =>
        Denoise(context, context.Spec.Plan, f => f, frameStride: 1f, context.Spec.SyncEvery, "denoise");

    /// <summary>
    /// Co-denoises a plan whose local frame f is absolute frame <paramref name="absoluteFrame"/>(f); also used for the
    /// keyframe pass, where local frames are keyframes at a coarse stride.
    /// </summary>
    internal static LatentTensor Denoise(RenderContext context, WindowPlan plan, Func<int, int> absoluteFrame, float frameStride, int syncEvery, string phase)
    {
        var windows = plan.Windows
            .Select(span => context.NewWindow(span, Enumerable.Range(span.Start, span.Length).Select(absoluteFrame).ToList(), frameStride))
            .ToList();
        var steps = context.Spec.Steps;
        for (var step = 0; step < steps; step++)
        {
            context.Step(step, windows, phase);
            if (syncEvery > 0 && (step + 1) % syncEvery == 0)
            {
                context.Fuse(plan, windows);
            }
        }
        // without a sync on the last step the overlaps are cross-faded once here
        if (syncEvery == 0 || steps % syncEvery != 0)
        {
            context.Fuse(plan, windows);
        }
        return ClipAssembler.Assemble(plan, windows.Select(w => w.Latents).ToList());
    }
}
