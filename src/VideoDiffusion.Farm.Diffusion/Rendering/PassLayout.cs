using VideoDiffusion.Farm.Diffusion.Planning;

namespace VideoDiffusion.Farm.Diffusion.Rendering;

/// <summary>How a pass of a strategy is laid out: its window plan, frame mapping, stride and when windows fuse.</summary>
/// <param name="Plan">Windows over the pass's frames (for the keyframe pass, keyframe indices).</param>
/// <param name="Stride">Latent frames between consecutive frames of the pass (the model is told it).</param>
/// <param name="SyncEvery">Fuse overlaps every this many steps during sampling; 0 = never during sampling.</param>
/// <param name="FuseAtEnd">Fuse overlaps once after sampling when the last step was not a sync point.</param>
public sealed record PassLayout(WindowPlan Plan, int Stride, int SyncEvery, bool FuseAtEnd)
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
        (_, Keyframe) when spec.KeyframePass => new PassLayout(KeyframeStrategy.KeyframePlan(spec), spec.KeyframeStride, 1, FuseAtEnd: true),
        (RenderStrategy.Keyframes, Main) => new PassLayout(spec.Plan, 1, 0, FuseAtEnd: true),
        (RenderStrategy.Autoregressive, Main) => new PassLayout(spec.Plan, 1, 0, FuseAtEnd: false),
        _ => throw new ArgumentException($"strategy {spec.Strategy} has no pass '{pass}'"),
    };
}
