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
        var keyframes = CoDenoiseStrategy.Denoise(context, PassLayout.For(spec, PassLayout.Keyframe), "keyframes");
        var layout = PassLayout.For(spec, PassLayout.Main);
        var windows = layout.Plan.Windows.Select(span => context.NewWindow(span, layout.FramesOf(span.Index))).ToList();
        foreach (var window in windows)
        {
            GiveKeyframes(window, spec.KeyframeStride, j => keyframes.Frame(j));
        }
        for (var step = 0; step < spec.Steps; step++)
        {
            context.Step(step, windows, "fill");
        }
        foreach (var window in windows)
        {
            window.ApplyContext();
        }
        if (layout.FusesAfterSampling(spec.Steps))
        {
            context.Fuse(layout.Plan, windows);
        }
        return ClipAssembler.Assemble(layout.Plan, windows.Select(w => w.Latents).ToList());
    }

    /// <summary>Gives a pass-2 window the keyframes inside it (keyframe j is latent frame j·stride) as clean context.</summary>
    public static void GiveKeyframes(WindowState window, int stride, Func<int, ReadOnlySpan<float>> keyframe)
    {
        var span = window.Span;
        for (var f = span.Start; f < span.End; f++)
        {
            if (f % stride == 0)
            {
                window.SetContextFrame(f - span.Start, keyframe(f / stride));
            }
        }
    }
}
