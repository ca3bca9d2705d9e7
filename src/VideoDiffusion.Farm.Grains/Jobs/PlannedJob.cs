using VideoDiffusion.Farm.Diffusion.Plans;

namespace VideoDiffusion.Farm.Grains.Jobs;

/// <summary>
/// A job's plan with what the farm needs to run it: the model and the content hash of the model files it was planned
/// with (its windows run only where the model has that hash), the tenant, its priority and the video it makes.
/// </summary>
public sealed record PlannedJob(string Model, string Tenant, int Priority, string Format, int Scale, JobPlan Plan, string ModelHash = "");
