namespace VideoDiffusion.Farm.Abstractions;

/// <summary>
/// One tenant's jobs: admits submissions under the tenant's limit of unfinished jobs, remembers idempotency keys and
/// lists the tenant's jobs. Keyed by tenant name.
/// </summary>
public interface ITenantGrain : IGrainWithStringKey
{
    /// <summary>
    /// Starts a job, or returns the job an earlier submission with the same <paramref name="idempotencyKey"/> started.
    /// Throws <see cref="JobRejectedException"/> for invalid input and <see cref="TenantLimitException"/> when the
    /// tenant already runs <paramref name="maxUnfinishedJobs"/> jobs; neither leaves a job behind.
    /// </summary>
    Task<JobStatus> Admit(RenderJobRequest request, string? idempotencyKey, int maxUnfinishedJobs);

    /// <summary>The tenant's job ids, newest first.</summary>
    Task<IReadOnlyList<string>> JobIds(int limit);

    Task<bool> Owns(string jobId);
}
