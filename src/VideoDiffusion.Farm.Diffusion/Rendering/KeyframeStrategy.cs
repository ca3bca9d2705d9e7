using VideoDiffusion.Farm.Diffusion.Planning;
using VideoDiffusion.Farm.Diffusion.Tensors;

namespace VideoDiffusion.Farm.Diffusion.Rendering;

/// <summary>
/// Two passes. Pass 1 generates keyframes on a coarse grid (every <c>keyframeStride</c> latent frames) for the whole
/// clip, the model told the stride; the keyframe sequence is itself co-denoised in windows when it is long. Pass 2
/// denoises every window independently, given the keyframes that fall inside it as clean context; overlaps are
/// cross-faded once at the end. No communication between windows during pass 2.
/// </summary>
public sealed class KeyframeStrategy : IRenderStrategy
{
    public static IReadOnlyList<int> KeyframeFrames(RenderJobSpec spec) =>
        Enumerable.Range(0, (spec.LatentFrames - 1) / spec.KeyframeStride + 1).Select(i => i * spec.KeyframeStride).ToList();

    public static WindowPlan KeyframePlan(RenderJobSpec spec) =>
        WindowPlanner.Plan(KeyframeFrames(spec).Count, spec.Plan.WindowLength, spec.Plan.Overlap);

    public long WindowSteps(RenderJobSpec spec) =>
        (long)(KeyframePlan(spec).Windows.Count + spec.Plan.Windows.Count) * spec.Steps;

    public LatentTensor Render(RenderContext context)
    {
        var spec = context.Spec;
        var stride = spec.KeyframeStride;
        var keyframes = CoDenoiseStrategy.Denoise(context, KeyframePlan(spec), j => j * stride, stride, syncEvery: 1, "keyframes");

        var windows = spec.Plan.Windows
            .Select(span => context.NewWindow(span, Enumerable.Range(span.Start, span.Length).ToList()))
            .ToList();
        foreach (var window in windows)
        {
            var span = window.Span;
            for (var f = span.Start; f < span.End; f++)
            {
                if (f % stride == 0)
                {
                    window.SetContextFrame(f - span.Start, keyframes.Frame(f / stride));
                }
            }
        }
        for (var step = 0; step < spec.Steps; step++)
        {
            context.Step(step, windows, "fill");
        }
        foreach (var window in windows)
        {
            window.ApplyContext();
        }
        context.Fuse(spec.Plan, windows);
        return ClipAssembler.Assemble(spec.Plan, windows.Select(w => w.Latents).ToList());
    }
}
