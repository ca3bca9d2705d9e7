using System.Text.Json.Serialization;
using VideoDiffusion.Farm.Diffusion.Planning;
using VideoDiffusion.Farm.Diffusion.Rendering;

namespace VideoDiffusion.Farm.Diffusion.Plans;

/// <summary>
/// One pass of a job, run by one of two primitives: co-denoise (every window steps at once, overlaps fused every
/// <see cref="SyncEvery"/> steps) or chain (one window after another, each given its predecessor's clean tail).
/// </summary>
/// <param name="Name"><see cref="Main"/> or a keyframe level (<see cref="KeyframeLevel"/>); also the pass part of a window's key.</param>
/// <param name="Windows">Windows over the pass's frames (for a keyframe pass, keyframe indices).</param>
/// <param name="Stride">Latent frames between consecutive frames of the pass (the model is told it).</param>
/// <param name="SyncEvery">Fuse overlaps every this many steps during sampling; 0 = never during sampling.</param>
/// <param name="FuseAtEnd">Fuse overlaps once after sampling when the last step was not a sync point.</param>
/// <param name="Chained">Windows run one after another, each given its predecessor's clean tail as context.</param>
/// <param name="AnchorPass">The pass whose finished frames every window of this one is given as keyframes, if any.</param>
/// <param name="Guidance">Classifier-free guidance scale of the pass's windows.</param>
public sealed record PassPlan(string Name, WindowPlan Windows, int Stride, int SyncEvery, bool FuseAtEnd, bool Chained, string? AnchorPass, float Guidance)
{
    public const string Main = "main";
    public const string Keyframe = "key";

    /// <summary>Name of keyframe level <paramref name="level"/>: <see cref="Keyframe"/> for the finest, then key1, key2… coarser.</summary>
    public static string KeyframeLevel(int level) => level == 0 ? Keyframe : Keyframe + level.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Whether the pass named <paramref name="name"/> lays out keyframes (any level).</summary>
    public static bool IsKeyframePass(string name) => name.StartsWith(Keyframe, StringComparison.Ordinal);

    /// <summary>Whether this pass lays out keyframes (any level).</summary>
    [JsonIgnore]
    public bool IsKeyframes => IsKeyframePass(Name);

    /// <summary>Absolute latent frames of window <paramref name="index"/>.</summary>
    public IReadOnlyList<int> FramesOf(int index)
    {
        var span = Windows.Windows[index];
        return Enumerable.Range(span.Start, span.Length).Select(f => f * Stride).ToList();
    }

    /// <summary>When this pass's windows fuse their overlaps (chained windows never do).</summary>
    [JsonIgnore]
    public FusionSchedule Fusion => Chained ? FusionSchedule.Never : new FusionSchedule(SyncEvery, FuseAtEnd);
}
