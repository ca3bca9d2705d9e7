using Microsoft.Extensions.Logging;
using VideoDiffusion.Farm.Abstractions;
using VideoDiffusion.Farm.Grains.Execution;
using VideoDiffusion.Farm.Grains.Storage;

namespace VideoDiffusion.Farm.Grains.Tenants;

/// <summary>
/// Admission for one tenant. Admissions are serialised by the grain, so a retried submission with the same idempotency
/// key and concurrent submissions racing for the last slot are decided one at a time; the reads (the job list,
/// ownership) interleave with them, as they only look at state an admission changes between its awaits. A rejected
/// request is never recorded.
/// </summary>
public sealed class TenantGrain(
    [PersistentState("tenant", FarmStorage.Name)] IPersistentState<TenantState> state,
    ModelCatalog catalog,
    ILogger<TenantGrain> logger) : Grain, ITenantGrain
{
    private HashSet<string>? _jobIndex;

    private string Tenant => this.GetPrimaryKeyString();

    /// <summary>The tenant's job ids as a set, built on first use: ownership checks run on every status request.</summary>
    private HashSet<string> JobIndex => _jobIndex ??= new HashSet<string>(state.State.Jobs, StringComparer.Ordinal);

    public async Task<JobStatus> Admit(RenderJobRequest request, string? idempotencyKey, AdmissionLimits limits)
    {
        var now = DateTimeOffset.UtcNow;
        var fingerprint = IdempotencyEntry.FingerprintOf(request);
        ForgetExpiredKeys(now - limits.IdempotencyKeyLifetime);
        if (idempotencyKey is not null && state.State.IdempotencyEntries.Find(e => e.Key == idempotencyKey) is { } existing)
        {
            if (existing.RequestFingerprint != fingerprint)
            {
                throw new IdempotencyConflictException(
                    $"the Idempotency-Key '{idempotencyKey}' was used for a different request (job {existing.JobId}); use a new key for a new request");
            }
            return await Job(existing.JobId).GetStatus();
        }
        await ForgetFinishedAsync();
        if (state.State.Unfinished.Count >= limits.MaxUnfinishedJobs)
        {
            throw new TenantLimitException(
                $"tenant '{Tenant}' already has {state.State.Unfinished.Count} unfinished jobs (limit {limits.MaxUnfinishedJobs})", limits.MaxUnfinishedJobs);
        }
        // throws JobRejectedException (invalid input, over the per-job budget) or TenantBudgetException (over the in-flight budget)
        var cost = JobCost.Of(request, catalog);
        cost.Check(limits.Budget, state.State.Costs.Values);
        var jobId = NewJobId();
        // throws JobRejectedException for invalid input before anything is recorded here or in the job grain
        var status = await Job(jobId).Submit(request with { Tenant = Tenant });
        state.State.Jobs.Add(jobId);
        JobIndex.Add(jobId);
        if (!status.IsFinished)
        {
            state.State.Unfinished.Add(jobId);
            state.State.Costs[jobId] = cost;
        }
        if (idempotencyKey is not null)
        {
            var keys = state.State.IdempotencyEntries;
            // oldest first: the list is in order of first use
            if (keys.Count >= limits.IdempotencyKeysKept)
            {
                keys.RemoveRange(0, keys.Count - Math.Max(0, limits.IdempotencyKeysKept - 1));
            }
            keys.Add(new IdempotencyEntry(idempotencyKey, jobId, fingerprint, now));
        }
        await state.WriteStateAsync();
        logger.LogInformation("tenant {Tenant} admitted job {Job}", Tenant, jobId);
        return status;
    }

    public Task<IReadOnlyList<string>> JobIds(int limit) =>
        Task.FromResult<IReadOnlyList<string>>(Enumerable.Reverse(state.State.Jobs).Take(Math.Max(0, limit)).ToList());

    public Task<bool> Owns(string jobId) => Task.FromResult(JobIndex.Contains(jobId));

    public async Task Forget(string jobId)
    {
        if (!JobIndex.Remove(jobId))
        {
            return;
        }
        state.State.Jobs.Remove(jobId);
        state.State.Unfinished.Remove(jobId);
        state.State.Costs.Remove(jobId);
        state.State.IdempotencyEntries.RemoveAll(e => e.JobId == jobId);
        await state.WriteStateAsync();
        logger.LogInformation("tenant {Tenant} forgot expired job {Job}", Tenant, jobId);
    }

    /// <summary>Drops the keys first used before <paramref name="cutoff"/> (they are oldest first); stored with the next admission.</summary>
    private void ForgetExpiredKeys(DateTimeOffset cutoff)
    {
        var keys = state.State.IdempotencyEntries;
        var count = 0;
        while (count < keys.Count && keys[count].UsedAt < cutoff)
        {
            count++;
        }
        keys.RemoveRange(0, count);
    }

    private async Task ForgetFinishedAsync()
    {
        var finished = new List<string>();
        foreach (var jobId in state.State.Unfinished)
        {
            if ((await Job(jobId).GetStatus()) is { IsFinished: true } or { Exists: false })
            {
                finished.Add(jobId);
            }
        }
        if (finished.Count > 0)
        {
            state.State.Unfinished.ExceptWith(finished);
            finished.ForEach(id => state.State.Costs.Remove(id));
            await state.WriteStateAsync();
        }
    }

    private IRenderJobGrain Job(string jobId) => GrainFactory.GetGrain<IRenderJobGrain>(jobId);

    // the tenant is part of the id, so ids never collide across tenants and a job's owner is visible in logs
    private string NewJobId() => $"{Sanitise(Tenant)}-{Guid.NewGuid().ToString("N")[..16]}";

    private static string Sanitise(string s) => string.Concat(s.Where(c => char.IsAsciiLetterOrDigit(c) || c == '-')).ToLowerInvariant();
}
