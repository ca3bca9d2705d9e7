using VideoDiffusion.Farm.Diffusion.Models;
using VideoDiffusion.Farm.Diffusion.Planning;
using VideoDiffusion.Farm.Diffusion.Rendering;
using VideoDiffusion.Farm.Diffusion.Text;

namespace VideoDiffusion.Farm.Diffusion.Plans;

/// <summary>
/// Compiles a resolved job into its <see cref="JobPlan"/>, once. The three long-video strategies are plan builders
/// over two primitives, co-denoise a pass and chain a pass:
/// <list type="bullet">
/// <item>co-denoise: one co-denoised pass over the clip, fused every <c>syncEvery</c> steps; anchored (the default for
/// more than one window) on a keyframe pass first;</item>
/// <item>keyframes: a keyframe pass, then a main pass whose windows never exchange during sampling and are
/// cross-faded once at the end;</item>
/// <item>autoregressive: one chained pass, window i continuing the clean tail of window i − 1.</item>
/// </list>
/// The keyframe passes and passes of several windows with no keyframe anchors run at the job's multi-window guidance
/// (<see cref="GuidanceOf"/>).
/// The keyframe pass is chained so the layout the first keyframes settle on (the first frame's, when the model has
/// one) holds to the end of the clip; fused keyframe windows each invented their own and the overlaps cross-faded
/// between them. A model that knows coarser strides gets keyframe levels instead (NUWA-XL;
/// <see cref="RenderJobSpec.CoarseStrides"/>): the chain is the top level's few windows, and each level below takes
/// the layout from the frames above it.
/// </summary>
public static class JobPlanner
{
    /// <summary>The passes of a job, in the order they run.</summary>
    public static IReadOnlyList<PassPlan> Passes(RenderJobSpec spec)
    {
        var passes = new List<PassPlan>();
        var strides = spec.KeyframePass ? [spec.KeyframeStride, .. spec.KeyframeLevelStrides] : Array.Empty<int>();
        for (var level = strides.Length - 1; level >= 0; level--)
        {
            // the top level is a chain; each level below it is anchored on the one above and fused once at the end
            var top = level == strides.Length - 1;
            var windows = RenderJobSpec.KeyframePlan(spec.LatentFrames, strides[level], spec.Plan.WindowLength, spec.Plan.Overlap);
            passes.Add(new PassPlan(PassPlan.KeyframeLevel(level), windows, strides[level], 0, FuseAtEnd: !top, Chained: top,
                top ? null : PassPlan.KeyframeLevel(level + 1), Guidance: 0f));
        }
        var anchor = spec.KeyframePass ? PassPlan.Keyframe : null;
        passes.Add(spec.Strategy switch
        {
            RenderStrategy.CoDenoise => new PassPlan(PassPlan.Main, spec.Plan, 1, spec.SyncEvery, FuseAtEnd: true, Chained: false, anchor, Guidance: 0f),
            RenderStrategy.Keyframes => new PassPlan(PassPlan.Main, spec.Plan, 1, 0, FuseAtEnd: true, Chained: false, anchor, Guidance: 0f),
            RenderStrategy.Autoregressive => new PassPlan(PassPlan.Main, spec.Plan, 1, 0, FuseAtEnd: false, Chained: true, anchor, Guidance: 0f),
            _ => throw new ArgumentOutOfRangeException(nameof(spec), spec.Strategy, "unknown strategy"),
        });
        return passes.Select(p => p with { Guidance = GuidanceOf(p, spec) }).ToList();
    }

    /// <summary>
    /// The job's multi-window guidance for a pass whose frames other windows continue: the keyframe pass (every main
    /// window continues its keyframes) and a pass of several windows that no keyframes anchor (autoregressive, plain
    /// co-denoise: each window continues its neighbour's frames, chained or fused). An artefact then travels down the
    /// clip and strong guidance grows it window after window. Anchored windows and a lone window take the job's guidance.
    /// </summary>
    private static float GuidanceOf(PassPlan pass, RenderJobSpec spec) =>
        pass.IsKeyframes || (pass.AnchorPass is null && pass.Windows.Windows.Count > 1) ? spec.MultiWindowGuidance : spec.Guidance;

    /// <summary>Window-steps of the job (the first frame's included), known before any model is loaded.</summary>
    public static long WindowSteps(RenderJobSpec spec) =>
        (spec.FirstFramePass ? spec.Steps : 0) + Passes(spec).Sum(p => (long)p.Windows.Windows.Count * spec.Steps);

    /// <summary>
    /// Window-steps on the job's critical path, the least any number of slots could finish it in: the first frame, then
    /// every window of a chained pass one after another, and one window of each other pass (its windows run side by
    /// side, each after the windows it is anchored on).
    /// </summary>
    public static long CriticalPathWindowSteps(RenderJobSpec spec) =>
        (spec.FirstFramePass ? spec.Steps : 0) + Passes(spec).Sum(p => (p.Chained ? p.Windows.Windows.Count : 1) * (long)spec.Steps);

    /// <summary>
    /// The whole plan: passes, each distinct prompt encoded once with the model's text encoder, and the opening frame
    /// laid out by the model's first-frame model when the job has a first-frame pass.
    /// </summary>
    public static JobPlan Build(RenderJobSpec spec, DiffusionModel model) =>
        LayOutFirstFrame(Encode(spec, model.Manifest, model.TextEncoder.Encode), model);

    /// <summary>The plan without its opening frame: passes and prompt states (<paramref name="encode"/> is called once per distinct prompt).</summary>
    public static JobPlan Encode(RenderJobSpec spec, ModelManifest manifest, Func<string, TextConditioning> encode) =>
        new(spec, LatentShape.Of(manifest), Passes(spec), PromptStates.Encode(spec.Storyboard, encode), null);

    /// <summary>Adds the opening frame when the job has a first-frame pass; <paramref name="stepped"/> is told after every step.</summary>
    public static JobPlan LayOutFirstFrame(JobPlan plan, DiffusionModel model, Action? stepped = null)
    {
        if (!plan.Spec.FirstFramePass)
        {
            return plan;
        }
        var firstFrame = model.FirstFrame ?? throw new InvalidOperationException($"{model.Manifest.Name} has no first-frame model");
        return plan with { FirstFrame = FirstFrameGenerator.Generate(firstFrame, model.Manifest, plan, stepped) };
    }

}
