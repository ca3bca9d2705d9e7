using VideoDiffusion.Farm.Abstractions;
using VideoDiffusion.Farm.Diffusion.Models;
using VideoDiffusion.Farm.Diffusion.Planning;
using VideoDiffusion.Farm.Diffusion.Rendering;
using VideoDiffusion.Farm.Grains.Execution;

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
        if (request.Format is not ("mp4" or "y4m"))
        {
            throw new JobRejectedException("format", $"format must be mp4 or y4m (got '{request.Format}')");
        }
        if (request.Scale is < 1 or > 16)
        {
            throw new JobRejectedException("scale", $"scale must be between 1 and 16 (got {request.Scale})");
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
