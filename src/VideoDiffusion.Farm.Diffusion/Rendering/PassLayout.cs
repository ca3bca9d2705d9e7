using VideoDiffusion.Farm.Diffusion.Planning;

namespace VideoDiffusion.Farm.Diffusion.Rendering;

/// <summary>How a pass of a strategy is laid out: its window plan, frame mapping, stride and when windows fuse.</summary>
/// <param name="Plan">Windows over the pass's frames (for the keyframe pass, keyframe indices).</param>
/// <param name="Stride">Latent frames between consecutive frames of the pass (the model is told it).</param>
/// <param name="SyncEvery">Fuse overlaps every this many steps during sampling; 0 = never during sampling.</param>
/// <param name="FuseAtEnd">Fuse overlaps once after sampling when the last step was not a sync point.</param>
/// <param name="Chained">Windows run one after another, each given its predecessor's clean tail as context.</param>
public sealed record PassLayout(WindowPlan Plan, int Stride, int SyncEvery, bool FuseAtEnd, bool Chained = false)
{
    public const string Main = "main";
    public const string Keyframe = "key";

    /// <summary>Absolute latent frames of window <paramref name="index"/>.</summary>
    public IReadOnlyList<int> FramesOf(int index)
    {
        var span = Plan.Windows[index];
        return Enumerable.Range(span.Start, span.Length).Select(f => f * Stride).ToList();
    }

    /// <summary>Fusion after step <paramref name="step"/> (0-based) during sampling.</summary>
    public bool SyncsAfter(int step) => SyncEvery > 0 && (step + 1) % SyncEvery == 0;

    /// <summary>Whether a last fusion follows sampling of <paramref name="steps"/> steps.</summary>
    public bool FusesAfterSampling(int steps) => FuseAtEnd && (SyncEvery == 0 || steps % SyncEvery != 0);

    /// <summary>The pass a job starts with: the keyframe pass when it has one.</summary>
    public static string First(RenderJobSpec spec) => spec.KeyframePass ? Keyframe : Main;

    public static PassLayout For(RenderJobSpec spec, string pass) => (spec.Strategy, pass) switch
    {
        (RenderStrategy.CoDenoise, Main) => new PassLayout(spec.Plan, 1, spec.SyncEvery, FuseAtEnd: true),
        // chained, so the layout the first keyframes settle on (the first frame's, when the model has one) holds to the
        // end of the clip; fused keyframe windows each invented their own and the overlaps cross-faded between them
        (_, Keyframe) when spec.KeyframePass => new PassLayout(KeyframeStrategy.KeyframePlan(spec), spec.KeyframeStride, 0, FuseAtEnd: false, Chained: true),
        (RenderStrategy.Keyframes, Main) => new PassLayout(spec.Plan, 1, 0, FuseAtEnd: true),
        (RenderStrategy.Autoregressive, Main) => new PassLayout(spec.Plan, 1, 0, FuseAtEnd: false, Chained: true),
        _ => throw new ArgumentException($"strategy {spec.Strategy} has no pass '{pass}'"),
    };
}
