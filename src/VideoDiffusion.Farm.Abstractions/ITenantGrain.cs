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

/// <summary>Too many unfinished jobs for one tenant.</summary>
[GenerateSerializer]
public sealed class TenantLimitException(string message, int limit) : Exception(message)
{
    [Id(0)]
    public int Limit { get; } = limit;
}

/// <summary>What a client needs to know of a model the cluster serves.</summary>
[GenerateSerializer, Immutable]
public sealed record ModelInfo(
    [property: Id(0)] string Name,
    [property: Id(1)] int Fps,
    [property: Id(2)] int Width,
    [property: Id(3)] int Height,
    [property: Id(4)] int Window,
    [property: Id(5)] int Overlap,
    [property: Id(6)] int Steps,
    [property: Id(7)] float Guidance,
    [property: Id(8)] bool Synthetic,
    [property: Id(9)] bool FirstFrame);

/// <summary>Lists the models the silos serve (a stateless worker on any silo).</summary>
public interface IModelDirectoryGrain : IGrainWithIntegerKey
{
    Task<IReadOnlyList<ModelInfo>> List();
}
