namespace VideoDiffusion.Farm.Grains.Tenants;

/// <summary>What a tenant grain persists: its jobs, which of them may still run, and idempotency keys.</summary>
[GenerateSerializer]
public sealed class TenantState
{
    /// <summary>Job ids, oldest first.</summary>
    [Id(0)] public List<string> Jobs { get; set; } = [];

    /// <summary>Jobs not yet seen finished; re-checked at each admission, so a lost notification cannot leak a slot.</summary>
    [Id(1)] public HashSet<string> Unfinished { get; set; } = [];

    /// <summary>Idempotency keys in the order they were first used, oldest first.</summary>
    [Id(3)] public List<IdempotencyEntry> IdempotencyEntries { get; set; } = [];

    /// <summary>The cost of each unfinished job, counted against the tenant's in-flight budget.</summary>
    [Id(4)] public Dictionary<string, JobCost> Costs { get; set; } = [];
}
