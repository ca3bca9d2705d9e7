using VideoDiffusion.Farm.Abstractions;
using VideoDiffusion.Farm.Diffusion.Models;
using VideoDiffusion.Farm.Diffusion.Planning;
using VideoDiffusion.Farm.Diffusion.Rendering;
using VideoDiffusion.Farm.Grains.Execution;
using VideoDiffusion.Farm.Requests;

namespace VideoDiffusion.Farm.Grains.Jobs;

/// <summary>Resolves a submitted request against its model's manifest; a refusal names the field.</summary>
public static class JobSpecs
{
    public static RenderJobSpec Resolve(RenderJobRequest request, ModelCatalog catalog)
    {
        ModelManifest manifest;
        try
        {
            manifest = catalog.Manifest(request.Model);
        }
        catch (ModelLoadException e)
        {
            throw new JobRejectedException("model", $"unknown or unusable model '{request.Model}': {e.Message}");
        }
        if (!VideoFormats.All.Contains(request.Format))
        {
            throw new JobRejectedException("format", $"format must be one of {string.Join(", ", VideoFormats.All)} (got '{request.Format}')");
        }
        if (request.Scale is < 1 or > RequestLimits.MaxScale)
        {
            throw new JobRejectedException("scale", $"scale must be between 1 and {RequestLimits.MaxScale} (got {request.Scale})");
        }
        try
        {
            return RenderJobSpec.Resolve(JobRequestMapper.ToRenderRequest(request), manifest);
        }
        catch (PlanException e)
        {
            throw new JobRejectedException(e.Field, e.Message);
        }
    }
}
