using System.Text.Json.Serialization;
using VideoDiffusion.Farm.Diffusion.Noise;
using VideoDiffusion.Farm.Diffusion.Planning;
using VideoDiffusion.Farm.Diffusion.Rendering;
using VideoDiffusion.Farm.Diffusion.Sampling;
using VideoDiffusion.Farm.Diffusion.Tensors;

namespace VideoDiffusion.Farm.Diffusion.Plans;

/// <summary>
/// A job compiled once (see <see cref="JobPlanner"/>): the resolved settings, the passes in order, the prompt states
/// and the opening frame. Every engine runs the same plan: the reference renderer in one process, the farm's window
/// and stitcher grains each reading their part of it.
/// </summary>
/// <param name="FirstFrame">The opening latent frame from the first-frame model; null when the job has no first-frame pass.</param>
public sealed record JobPlan(RenderJobSpec Spec, LatentShape Latent, IReadOnlyList<PassPlan> Passes, PromptStates Prompts, float[]? FirstFrame)
{
    /// <summary>The absolute latent frame the first-frame model lays out.</summary>
    public const int FirstFrameIndex = 0;

    public PassPlan Pass(string name) => Passes.FirstOrDefault(p => p.Name == name)
                                         ?? throw new ArgumentException($"the plan has no pass '{name}'");

    /// <summary>The guidance a pass's windows are sampled with.</summary>
    public GuidanceScale GuidanceOf(PassPlan pass) => new(pass.Guidance, Spec.GuidanceFocus);

    /// <summary>The pass the clip's frames come from (the last one).</summary>
    [JsonIgnore]
    public PassPlan Output => Passes[^1];

    /// <summary>Every window of every pass, in the order the passes run.</summary>
    [JsonIgnore]
    public IEnumerable<WindowRef> Windows => Passes.SelectMany(p => p.Windows.Windows.Select(w => new WindowRef(p.Name, w.Index)));

    /// <summary>Window-steps of the whole job, the first frame's steps included.</summary>
    [JsonIgnore]
    public long WindowSteps => FirstFrameWindowSteps + Passes.Sum(p => (long)p.Windows.Windows.Count * Spec.Steps);

    /// <summary>Window-steps the first frame costs (a one-frame window through every sampler step).</summary>
    [JsonIgnore]
    public long FirstFrameWindowSteps => FirstFrame is null ? 0 : Spec.Steps;

    public bool Contains(WindowRef window) =>
        Passes.Any(p => p.Name == window.Pass) && window.Index >= 0 && window.Index < Pass(window.Pass).Windows.Windows.Count;

    /// <summary>The task of one window: frames, conditioning and the windows it is given context from.</summary>
    public WindowTask Task(WindowRef window)
    {
        if (!Contains(window))
        {
            throw new ArgumentException($"the plan has no window {window}", nameof(window));
        }
        var pass = Pass(window.Pass);
        var span = pass.Windows.Windows[window.Index];
        var frames = pass.FramesOf(window.Index);
        var conditional = Prompts.ForFrames(frames, Spec.Storyboard, Latent.TemporalFactor, Spec.Fps);
        return new WindowTask(window, span, frames, pass.Stride, conditional, FirstFrame is not null && frames.Contains(FirstFrameIndex), DependenciesOf(window));
    }

    /// <summary>The windows whose finished latents a window is given as clean context (<see cref="ContextOf"/>): its keyframes' owners, or a chained predecessor.</summary>
    public IReadOnlyList<WindowRef> DependenciesOf(WindowRef window) => ContextOf(window).Select(c => c.From).Distinct().ToList();

    /// <summary>Whether a later pass is anchored on <paramref name="pass"/>: its windows are on the job's critical path.</summary>
    public bool IsAnchor(string pass) => Passes.Any(p => p.AnchorPass == pass);

    /// <summary>
    /// A window's starting state: the job's noise for its frames (or <paramref name="reached"/>, the latents a window
    /// that moved had reached), its conditioning, the opening frame where it holds frame 0, then the clean context
    /// from the finished windows it depends on (<see cref="ContextOf"/>, read through <paramref name="finished"/>).
    /// </summary>
    public WindowState Start(WindowTask task, FinishedFrame finished, float[]? reached = null)
    {
        var latents = reached is null ? NoiseFor(task.Frames) : new LatentTensor(task.Frames.Count, Latent.Channels, Latent.Height, Latent.Width, reached);
        var window = new WindowState(task.Span, latents, task.Conditional, task.Stride);
        if (task.HoldsFirstFrame)
        {
            window.SetContextFrame(task.Frames.ToList().IndexOf(FirstFrameIndex), FirstFrame!);
        }
        foreach (var context in ContextOf(task.Id))
        {
            window.SetContextFrame(context.Frame, finished(context.From, context.FromFrame));
        }
        return window;
    }

    /// <summary>
    /// The frames of finished windows a window starts with as clean context: the keyframes of its anchor pass that fall
    /// on its frames, or the frames it shares with its chained predecessor. Only these are read of those windows.
    /// </summary>
    public IEnumerable<ContextFrame> ContextOf(WindowRef window)
    {
        var pass = Pass(window.Pass);
        var span = pass.Windows.Windows[window.Index];
        if (pass.AnchorPass is { } anchorName)
        {
            var anchor = Pass(anchorName);
            foreach (var (frame, j) in AnchorFramesIn(pass, span, anchor))
            {
                var owner = anchor.Windows.OwnerOf(j);
                yield return new ContextFrame(new WindowRef(anchorName, owner), j - anchor.Windows.Windows[owner].Start, frame - span.Start);
            }
        }
        else if (pass.Chained && window.Index > 0)
        {
            var previous = pass.Windows.Windows[window.Index - 1];
            var overlap = previous.End - span.Start;
            for (var j = 0; j < overlap; j++)
            {
                yield return new ContextFrame(window with { Index = window.Index - 1 }, previous.Length - overlap + j, j);
            }
        }
    }

    /// <summary>Initial noise of absolute latent frames <paramref name="frames"/>, in order.</summary>
    public LatentTensor NoiseFor(IReadOnlyList<int> frames) =>
        CounterNoise.ForFrames(Spec.Seed, frames, Latent.Channels, Latent.Height, Latent.Width);

    /// <summary>
    /// The frames of <paramref name="anchor"/> that fall on frames of a window of <paramref name="pass"/> over
    /// <paramref name="span"/> (the anchor's stride is a multiple of the pass's): each as the pass's frame and the
    /// anchor's frame index j (latent frame j · the anchor's stride).
    /// </summary>
    private static IEnumerable<(int Frame, int AnchorFrame)> AnchorFramesIn(PassPlan pass, WindowSpan span, PassPlan anchor)
    {
        var ratio = anchor.Stride / pass.Stride;
        return Enumerable.Range(span.Start, span.Length).Where(f => f % ratio == 0).Select(f => (f, f / ratio));
    }
}
