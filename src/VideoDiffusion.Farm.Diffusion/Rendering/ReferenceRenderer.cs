using VideoDiffusion.Farm.Diffusion.Models;
using VideoDiffusion.Farm.Diffusion.Tensors;

namespace VideoDiffusion.Farm.Diffusion.Rendering;

/// <summary>The single-process renderer: the oracle the distributed farm must reproduce bit for bit.</summary>
public sealed class ReferenceRenderer(DiffusionModel model)
{
    public static IRenderStrategy StrategyFor(RenderStrategy strategy) => strategy switch
    {
        RenderStrategy.CoDenoise => new CoDenoiseStrategy(),
        RenderStrategy.Keyframes => new KeyframeStrategy(),
        RenderStrategy.Autoregressive => new AutoregressiveStrategy(),
        _ => throw new ArgumentOutOfRangeException(nameof(strategy)),
    };

    public RenderJobSpec Resolve(RenderRequest request) => RenderJobSpec.Resolve(request, model.Manifest);

    /// <summary>Denoises the whole clip and returns its final latents (not yet decoded).</summary>
    public (LatentTensor Latents, RenderTimings Timings) Render(RenderJobSpec spec, IProgress<RenderProgress>? progress = null, CancellationToken cancellation = default)
    {
        var strategy = StrategyFor(spec.Strategy);
        var context = new RenderContext(model, spec, progress, cancellation) { TotalWindowSteps = strategy.WindowSteps(spec) };
        var latents = strategy.Render(context);
        var t = context.Timings;
        t.Denoising = context.Batcher.DenoiseTime + context.FirstFrameTime;
        t.WindowSteps = context.Batcher.WindowSteps + FirstFrameGenerator.WindowSteps(spec);
        t.DenoiserCalls = context.Batcher.DenoiserCalls;
        return (latents, t);
    }
}
