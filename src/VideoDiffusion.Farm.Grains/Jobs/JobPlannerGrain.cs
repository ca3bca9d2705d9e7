using System.Diagnostics;
using VideoDiffusion.Farm.Abstractions;
using VideoDiffusion.Farm.Diffusion.Plans;
using VideoDiffusion.Farm.Grains.Execution;
using VideoDiffusion.Farm.Grains.Placement;
using VideoDiffusion.Farm.Grains.Storage;
using VideoDiffusion.Farm.Grains.Telemetry;
using VideoDiffusion.Farm.Abstractions.Protocol;

namespace VideoDiffusion.Farm.Grains.Jobs;

/// <summary>
/// Plans one job where a model runs (the job grain may live on a silo without accelerators): each distinct prompt
/// encoded once, the first frame laid out once, the plan stored with the job for its window and stitcher grains, with
/// the content hash of this silo's model files, which every later grain of the job must match.
/// </summary>
[AcceleratorPlacement]
public sealed class JobPlannerGrain(DenoiseExecutor executor, ModelCatalog catalog, JobArtifacts artifacts) : Grain, IJobPlannerGrain
{
    public async Task Plan(RenderJobRequest request)
    {
        var jobId = this.GetPrimaryKeyString();
        if (await artifacts.Store.ExistsAsync(JobArtifacts.PlanKey(jobId)))
        {
            return;
        }
        var spec = JobSpecs.Resolve(request, catalog);
        var plan = await executor.RunAsync(request.Model, model => JobPlanner.LayOutFirstFrame(JobPlanner.Encode(spec, model.Manifest, prompt =>
        {
            FarmMetrics.PromptEncodings.Add(1, new TagList { { "model", request.Model }, { "kind", prompt.Length == 0 ? "unconditional" : "prompt" } });
            return model.TextEncoder.Encode(prompt);
        }), model), CancellationToken.None, request.Priority);
        await artifacts.SavePlanAsync(jobId, new PlannedJob(request.Model, request.Tenant, request.Priority, request.Format, request.Scale, plan, catalog.HashOf(request.Model)));
        DeactivateOnIdle();
    }
}
