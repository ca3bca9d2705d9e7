using System.Text.Json.Serialization;
using VideoDiffusion.Farm.Diffusion.Fusion;
using VideoDiffusion.Farm.Diffusion.Models;
using VideoDiffusion.Farm.Diffusion.Planning;
using VideoDiffusion.Farm.Diffusion.Sampling;
using VideoDiffusion.Farm.Requests;

namespace VideoDiffusion.Farm.Diffusion.Rendering;

/// <summary>
/// A validated request with every default resolved against the model, plus its window plan. <see cref="Resolve"/> is
/// the one place a request is checked, with the bounds of <see cref="RequestLimits"/>.
/// </summary>
public sealed record RenderJobSpec(
    Storyboard Storyboard,
    int Fps,
    int PixelFrames,
    int LatentFrames,
    ulong Seed,
    int Steps,
    float Guidance,
    float GuidanceFocus,
    float MultiWindowGuidance,
    float Shift,
    RenderStrategy Strategy,
    int SyncEvery,
    BlendMode Blend,
    int KeyframeStride,
    bool KeyframePass,
    bool FirstFramePass,
    int MaxBatch,
    WindowPlan Plan,
    IReadOnlyList<int>? CoarseKeyframeStrides = null)
{
    /// <summary>Strides of the keyframe levels above the keyframe pass, finest first (<see cref="CoarseStrides"/>); none for a plan stored without them.</summary>
    [JsonIgnore]
    public IReadOnlyList<int> KeyframeLevelStrides => CoarseKeyframeStrides ?? [];

    public static RenderJobSpec Resolve(RenderRequest request, ModelManifest manifest)
    {
        var fps = request.Fps ?? manifest.Video.Fps;
        if (fps is <= 0 or > RequestLimits.MaxFps)
        {
            throw new PlanException("fps", $"fps must be between 1 and {RequestLimits.MaxFps} (got {fps})");
        }
        var seconds = request.Seconds;
        if (request.Frames is { } frames)
        {
            if (request.Seconds is not null)
            {
                throw new PlanException("frames", "give either seconds or frames, not both");
            }
            if (frames < 1)
            {
                throw new PlanException("frames", $"frames must be at least 1 (got {frames})");
            }
            seconds = frames / (double)fps;
        }
        Storyboard storyboard;
        if (request.Storyboard is { } board)
        {
            if (!string.IsNullOrEmpty(request.Prompt))
            {
                throw new PlanException("storyboard", "give a prompt or a storyboard, not both");
            }
            board.Validate();
            if (seconds is { } s && Math.Abs(s - board.Seconds) > 1e-9)
            {
                throw new PlanException(request.Frames is null ? "seconds" : "frames", $"seconds ({s}) disagrees with the storyboard, which ends at {board.Seconds}");
            }
            storyboard = board;
        }
        else
        {
            if (string.IsNullOrWhiteSpace(request.Prompt))
            {
                throw new PlanException("prompt", "the prompt must not be empty");
            }
            storyboard = Storyboard.Single(request.Prompt, seconds ?? 4.0);
        }
        var totalSeconds = storyboard.Seconds;
        if (!(totalSeconds > 0) || totalSeconds > RequestLimits.MaxSeconds)
        {
            throw new PlanException(request.Frames is null ? "seconds" : "frames", $"seconds must be above 0 and at most {RequestLimits.MaxSeconds} (got {totalSeconds})");
        }
        var pixelFrames = (int)Math.Round(totalSeconds * fps);
        if (pixelFrames < 1)
        {
            throw new PlanException("seconds", $"{totalSeconds} s at {fps} fps is less than one frame");
        }
        var k = manifest.Latent.TemporalFactor;
        var latentFrames = (pixelFrames + k - 1) / k;
        var steps = request.Steps ?? manifest.Sampler.DefaultSteps;
        if (steps is < 1 or > RequestLimits.MaxSteps)
        {
            throw new PlanException("steps", $"steps must be between 1 and {RequestLimits.MaxSteps} (got {steps})");
        }
        var guidance = request.Guidance ?? manifest.Guidance.Default;
        if (!(guidance >= 0) || guidance > RequestLimits.MaxGuidance)
        {
            throw new PlanException("guidance", $"guidance must be between 0 and {RequestLimits.MaxGuidance} (got {guidance})");
        }
        var focus = request.GuidanceFocus ?? manifest.Guidance.Focus;
        if (!(focus >= 0) || focus > RequestLimits.MaxGuidanceFocus)
        {
            throw new PlanException("guidanceFocus", $"guidance focus must be between 0 and {RequestLimits.MaxGuidanceFocus} (got {focus})");
        }
        var multiWindowGuidance = request.MultiWindowGuidance ?? manifest.Guidance.MultiWindow ?? guidance;
        if (!(multiWindowGuidance >= 0) || multiWindowGuidance > RequestLimits.MaxGuidance)
        {
            throw new PlanException("multiWindowGuidance", $"chained guidance must be between 0 and {RequestLimits.MaxGuidance} (got {multiWindowGuidance})");
        }
        var window = request.Window ?? manifest.Window.Native;
        if (window < manifest.Window.Min || window > manifest.Window.Max)
        {
            throw new PlanException("window", $"window must be between {manifest.Window.Min} and {manifest.Window.Max} latent frames for {manifest.Name} (got {window})");
        }
        var overlap = request.Overlap ?? window / 4;
        if (request.SyncEvery < 0)
        {
            throw new PlanException("syncEvery", $"syncEvery must be 0 (fuse only at the end) or positive (got {request.SyncEvery})");
        }
        if (request.MaxBatch < 1)
        {
            throw new PlanException("maxBatch", $"the batch size must be at least 1 (got {request.MaxBatch})");
        }
        var trainedStrides = manifest.Conditioning.TrainedStrides;
        var keyframeStride = request.KeyframeStride ?? trainedStrides.Where(s => s <= Math.Max(1, window / 2)).Max();
        if (keyframeStride < 1 || keyframeStride > window)
        {
            throw new PlanException("keyframeStride", $"keyframe stride must be between 1 and the window {window} (got {keyframeStride})");
        }
        if (request.Strategy != RenderStrategy.CoDenoise && !manifest.Conditioning.ContextLatents)
        {
            throw new PlanException("strategy", $"{request.Strategy} needs a model that takes context latents; {manifest.Name} does not");
        }
        if (request.Strategy == RenderStrategy.Autoregressive && overlap == 0 && latentFrames > window)
        {
            throw new PlanException("overlap", "autoregressive rendering needs an overlap of at least 1 frame to carry context");
        }
        var plan = WindowPlanner.Plan(latentFrames, window, overlap, Math.Min(manifest.Window.Min, latentFrames));
        var keyframePass = ResolveKeyframePass(request, manifest, plan);
        if (request.FirstFrame == true && manifest.Files.FirstFrame is null)
        {
            throw new PlanException("firstFrame", $"{manifest.Name} has no first-frame model (files.firstFrame in its manifest)");
        }
        var firstFramePass = (request.FirstFrame ?? true) && manifest.Files.FirstFrame is not null;
        var coarseStrides = keyframePass ? CoarseStrides(latentFrames, keyframeStride, window, overlap, trainedStrides) : [];
        return new RenderJobSpec(storyboard, fps, pixelFrames, latentFrames, request.Seed, steps, guidance, focus, multiWindowGuidance,
            manifest.Sampler.Shift, request.Strategy, request.SyncEvery, request.Blend, keyframeStride, keyframePass, firstFramePass, request.MaxBatch, plan,
            coarseStrides);
    }

    /// <summary>
    /// Strides of the keyframe levels above a keyframe pass at <paramref name="stride"/>, finest first (NUWA-XL's
    /// diffusion over diffusion). A coarser level goes at the coarsest stride the model knows that is a multiple of the
    /// level's and leaves every window of the level at least two of its frames (at most half a window apart, as the
    /// keyframe stride is for the main pass), and only when it shortens the job's critical path: the top level is
    /// chained and every level below it is anchored on the one above, its windows side by side, so a level of n
    /// chained windows becomes the coarser level's chain plus one window. The chain a long clip waits for then holds a
    /// few windows instead of one per window length of keyframes; a short clip keeps its chain and does no more work.
    /// </summary>
    public static IReadOnlyList<int> CoarseStrides(int latentFrames, int stride, int window, int overlap, IReadOnlyList<int> trainedStrides)
    {
        var levels = new List<int>();
        var current = stride;
        while (true)
        {
            var coarser = trainedStrides.Where(s => s > current && s % current == 0 && s / current <= window / 2).DefaultIfEmpty(0).Max();
            if (coarser == 0 || KeyframeWindows(latentFrames, coarser, window, overlap) + 1 >= KeyframeWindows(latentFrames, current, window, overlap))
            {
                break;
            }
            levels.Add(coarser);
            current = coarser;
        }
        return levels;
    }

    /// <summary>Windows of a keyframe pass at <paramref name="stride"/>: keyframe j is latent frame j · stride.</summary>
    public static WindowPlan KeyframePlan(int latentFrames, int stride, int window, int overlap) =>
        WindowPlanner.Plan((latentFrames - 1) / stride + 1, window, overlap);

    private static int KeyframeWindows(int latentFrames, int stride, int window, int overlap) =>
        KeyframePlan(latentFrames, stride, window, overlap).Windows.Count;

    /// <summary>
    /// Whether a coarse keyframe pass runs first and anchors every window. The keyframes strategy always has one;
    /// co-denoise has one by default when there is more than one window, because windows that share only a few
    /// frames otherwise each invent their own layout of the scene and the overlaps cross-fade between them.
    /// </summary>
    private static bool ResolveKeyframePass(RenderRequest request, ModelManifest manifest, WindowPlan plan) => (request.Strategy, request.Anchors) switch
    {
        (RenderStrategy.Keyframes, KeyframeAnchors.None) => throw new PlanException("anchors", "the keyframes strategy always anchors its windows on keyframes"),
        (RenderStrategy.Keyframes, _) => true,
        (RenderStrategy.Autoregressive, KeyframeAnchors.Keyframes) => throw new PlanException("anchors", "keyframe anchors apply to co-denoise and keyframes, not autoregressive"),
        (RenderStrategy.Autoregressive, _) => false,
        (_, KeyframeAnchors.None) => false,
        (_, KeyframeAnchors.Keyframes) when !manifest.Conditioning.ContextLatents =>
            throw new PlanException("anchors", $"keyframe anchors need a model that takes context latents; {manifest.Name} does not"),
        (_, KeyframeAnchors.Keyframes) => true,
        _ => manifest.Conditioning.ContextLatents && plan.Windows.Count > 1,
    };
}
