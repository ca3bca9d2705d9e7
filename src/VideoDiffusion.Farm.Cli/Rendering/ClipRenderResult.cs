using VideoDiffusion.Farm.Diffusion.Quality;
using VideoDiffusion.Farm.Diffusion.Rendering;
using VideoDiffusion.Farm.Diffusion.Tensors;

namespace VideoDiffusion.Farm.Cli.Rendering;

/// <summary>A rendered clip: frames, the job it came from, timings and temporal quality.</summary>
public sealed record ClipRenderResult(RenderJobSpec Spec, RgbVideo Video, LatentTensor Latents, RenderTimings Timings, TemporalQuality Quality);
