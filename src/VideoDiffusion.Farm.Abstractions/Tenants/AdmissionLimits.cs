namespace VideoDiffusion.Farm.Abstractions;

/// <summary>A gateway's admission limits for one tenant: unfinished jobs, how long and how many idempotency keys are kept, and the cost budget.</summary>
[GenerateSerializer, Immutable]
public sealed record AdmissionLimits(
    [property: Id(0)] int MaxUnfinishedJobs,
    [property: Id(1)] TimeSpan IdempotencyKeyLifetime,
    [property: Id(2)] int IdempotencyKeysKept,
    [property: Id(3)] TenantBudget? Budget = null);
