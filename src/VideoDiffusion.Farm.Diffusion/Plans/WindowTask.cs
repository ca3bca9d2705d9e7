using VideoDiffusion.Farm.Diffusion.Planning;
using VideoDiffusion.Farm.Diffusion.Text;

namespace VideoDiffusion.Farm.Diffusion.Plans;

/// <summary>
/// What one window of a plan does: its span in the pass, the absolute latent frames it denoises, the conditioning of
/// those frames, and the windows whose finished latents it is given as clean context (keyframe owners, a chained
/// predecessor). A window never reads the request: everything it needs is here and in its <see cref="JobPlan"/>.
/// </summary>
public sealed record WindowTask(
    WindowRef Id,
    WindowSpan Span,
    IReadOnlyList<int> Frames,
    float Stride,
    TextConditioning Conditional,
    bool HoldsFirstFrame,
    IReadOnlyList<WindowRef> DependsOn);
