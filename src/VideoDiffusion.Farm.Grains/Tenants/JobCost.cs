using VideoDiffusion.Farm.Abstractions;
using VideoDiffusion.Farm.Diffusion.Plans;
using VideoDiffusion.Farm.Grains.Execution;
using VideoDiffusion.Farm.Grains.Jobs;

namespace VideoDiffusion.Farm.Grains.Tenants;

/// <summary>What a job costs: its window-steps and its output pixels (frames × width × height after scaling).</summary>
[GenerateSerializer, Immutable]
public sealed record JobCost([property: Id(0)] long WindowSteps, [property: Id(1)] long OutputPixels)
{
    /// <summary>The cost of a request, from its model's manifest; throws <see cref="JobRejectedException"/> for invalid input.</summary>
    public static JobCost Of(RenderJobRequest request, ModelCatalog catalog)
    {
        var spec = JobSpecs.Resolve(request, catalog);
        var video = catalog.Manifest(request.Model).Video;
        return new JobCost(JobPlanner.WindowSteps(spec), (long)spec.PixelFrames * video.Width * request.Scale * video.Height * request.Scale);
    }

    /// <summary>Throws when this job exceeds <paramref name="budget"/> alone (400) or beside <paramref name="inFlight"/> (429).</summary>
    public void Check(TenantBudget? budget, IEnumerable<JobCost> inFlight)
    {
        if (budget is null)
        {
            return;
        }
        if (budget.MaxWindowStepsPerJob > 0 && WindowSteps > budget.MaxWindowStepsPerJob)
        {
            throw new JobRejectedException("budget.windowSteps",
                $"the job needs {WindowSteps} window-steps; a job may take at most {budget.MaxWindowStepsPerJob} (fewer seconds, steps or a longer window)");
        }
        if (budget.MaxOutputPixelsPerJob > 0 && OutputPixels > budget.MaxOutputPixelsPerJob)
        {
            throw new JobRejectedException("budget.outputPixels",
                $"the video would have {OutputPixels} pixels (frames × width × height); a job may have at most {budget.MaxOutputPixelsPerJob} (fewer seconds, fps or a smaller scale)");
        }
        var running = inFlight.ToList();
        var steps = running.Sum(c => c.WindowSteps);
        if (budget.MaxWindowStepsInFlight > 0 && steps + WindowSteps > budget.MaxWindowStepsInFlight)
        {
            throw new TenantBudgetException("budget.windowSteps",
                $"the tenant's unfinished jobs hold {steps} window-steps; this job's {WindowSteps} would pass the limit of {budget.MaxWindowStepsInFlight}: retry when one finishes");
        }
        var pixels = running.Sum(c => c.OutputPixels);
        if (budget.MaxOutputPixelsInFlight > 0 && pixels + OutputPixels > budget.MaxOutputPixelsInFlight)
        {
            throw new TenantBudgetException("budget.outputPixels",
                $"the tenant's unfinished jobs hold {pixels} output pixels; this job's {OutputPixels} would pass the limit of {budget.MaxOutputPixelsInFlight}: retry when one finishes");
        }
    }
}
