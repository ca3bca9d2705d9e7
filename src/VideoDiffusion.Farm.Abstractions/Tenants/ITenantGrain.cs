using Orleans.Concurrency;

namespace VideoDiffusion.Farm.Abstractions;

/// <summary>
/// One tenant's jobs: admits submissions under the tenant's limit of unfinished jobs, remembers idempotency keys and
/// lists the tenant's jobs. Keyed by tenant name.
/// </summary>
public interface ITenantGrain : IGrainWithStringKey
{
    /// <summary>
    /// Starts a job, or returns the job an earlier submission of the same request with the same
    /// <paramref name="idempotencyKey"/> started, while the key is kept (<see cref="AdmissionLimits"/>: for a time, and
    /// the newest so many). Throws <see cref="JobRejectedException"/> for invalid input, <see cref="TenantLimitException"/>
    /// when the tenant already runs its maximum of unfinished jobs and <see cref="IdempotencyConflictException"/> when the
    /// key was used for a different request; none leaves a job behind.
    /// </summary>
    Task<JobStatus> Admit(RenderJobRequest request, string? idempotencyKey, AdmissionLimits limits);

    /// <summary>The tenant's job ids, newest first.</summary>
    [AlwaysInterleave]
    Task<IReadOnlyList<string>> JobIds(int limit);

    /// <summary>Whether the job is the tenant's; answered from the tenant's list, so an unknown id touches no job grain.</summary>
    [AlwaysInterleave]
    Task<bool> Owns(string jobId);

    /// <summary>Drops an expired job: from the list, from ownership (its id is then unknown) and from the idempotency keys.</summary>
    Task Forget(string jobId);
}
