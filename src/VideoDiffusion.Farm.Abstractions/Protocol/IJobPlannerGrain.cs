namespace VideoDiffusion.Farm.Abstractions.Protocol;

/// <summary>Compiles a submitted job into its plan on an accelerator silo (prompts encoded, first frame laid out) and stores it.</summary>
public interface IJobPlannerGrain : IGrainWithStringKey
{
    /// <summary>Plans the job and stores the plan; does nothing when it is already stored.</summary>
    Task Plan(RenderJobRequest request);
}
