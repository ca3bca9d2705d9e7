using VideoDiffusion.Farm.Diffusion.Planning;
using VideoDiffusion.Farm.Diffusion.Tensors;

namespace VideoDiffusion.Farm.Diffusion.Rendering;

/// <summary>
/// Two passes. Pass 1 generates keyframes on a coarse grid (every <c>keyframeStride</c> latent frames) for the whole
/// clip, the model told the stride; a long keyframe sequence is generated in chained windows, each continuing its
/// predecessor's last keyframes. Pass 2
/// denoises every window independently, given the keyframes that fall inside it as clean context; overlaps are
/// cross-faded once at the end. No communication between windows during pass 2.
/// </summary>
public sealed class KeyframeStrategy : IRenderStrategy
{
    public static IReadOnlyList<int> KeyframeFrames(RenderJobSpec spec) =>
        Enumerable.Range(0, (spec.LatentFrames - 1) / spec.KeyframeStride + 1).Select(i => i * spec.KeyframeStride).ToList();

    public static WindowPlan KeyframePlan(RenderJobSpec spec) =>
        WindowPlanner.Plan(KeyframeFrames(spec).Count, spec.Plan.WindowLength, spec.Plan.Overlap);

    /// <summary>Window-steps of the keyframe pass, 0 when the job has none.</summary>
    public static long KeyframeWindowSteps(RenderJobSpec spec) =>
        spec.KeyframePass ? (long)KeyframePlan(spec).Windows.Count * spec.Steps : 0;

    public long WindowSteps(RenderJobSpec spec) => PassWindowSteps(spec);

    /// <summary>Window-steps of a job whose main pass may follow a keyframe pass (co-denoise and keyframes), first frame included.</summary>
    public static long PassWindowSteps(RenderJobSpec spec) =>
        FirstFrameGenerator.WindowSteps(spec) + KeyframeWindowSteps(spec) + (long)spec.Plan.Windows.Count * spec.Steps;

    public LatentTensor Render(RenderContext context) =>
        CoDenoiseStrategy.Denoise(context, PassLayout.For(context.Spec, PassLayout.Main), "fill", Keyframes(context));

    /// <summary>Pass 1: the keyframe sequence, in chained windows at the keyframe stride (keyframe j is latent frame j·stride).</summary>
    public static LatentTensor Keyframes(RenderContext context) =>
        AutoregressiveStrategy.Chain(context, PassLayout.For(context.Spec, PassLayout.Keyframe), "keyframes");

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
