using Microsoft.Extensions.Logging;
using VideoDiffusion.Farm.Abstractions;
using VideoDiffusion.Farm.Grains.Storage;

namespace VideoDiffusion.Farm.Grains.Tenants;

/// <summary>
/// Admission for one tenant. Calls are serialised by the grain, so a retried submission with the same idempotency key
/// and concurrent submissions racing for the last slot are decided one at a time. A rejected request is never recorded.
/// </summary>
public sealed class TenantGrain(
    [PersistentState("tenant", FarmStorage.Name)] IPersistentState<TenantState> state,
    ILogger<TenantGrain> logger) : Grain, ITenantGrain
{
    /// <summary>Idempotency keys remembered per tenant; the oldest are forgotten beyond this.</summary>
    public const int IdempotencyKeysKept = 10_000;

    private string Tenant => this.GetPrimaryKeyString();

    public async Task<JobStatus> Admit(RenderJobRequest request, string? idempotencyKey, int maxUnfinishedJobs)
    {
        if (idempotencyKey is not null && state.State.IdempotencyKeys.TryGetValue(idempotencyKey, out var existing))
        {
            return await Job(existing).GetStatus();
        }
        await ForgetFinishedAsync();
        if (state.State.Unfinished.Count >= maxUnfinishedJobs)
        {
            throw new TenantLimitException(
                $"tenant '{Tenant}' already has {state.State.Unfinished.Count} unfinished jobs (limit {maxUnfinishedJobs})", maxUnfinishedJobs);
        }
        var jobId = NewJobId();
        // throws JobRejectedException for invalid input before anything is recorded here or in the job grain
        var status = await Job(jobId).Submit(request with { Tenant = Tenant });
        state.State.Jobs.Add(jobId);
        if (!status.IsFinished)
        {
            state.State.Unfinished.Add(jobId);
        }
        if (idempotencyKey is not null)
        {
            if (state.State.IdempotencyKeys.Count >= IdempotencyKeysKept)
            {
                state.State.IdempotencyKeys.Remove(state.State.IdempotencyKeys.Keys.First());
            }
            state.State.IdempotencyKeys[idempotencyKey] = jobId;
        }
        await state.WriteStateAsync();
        logger.LogInformation("tenant {Tenant} admitted job {Job}", Tenant, jobId);
        return status;
    }

    public Task<IReadOnlyList<string>> JobIds(int limit) =>
        Task.FromResult<IReadOnlyList<string>>(Enumerable.Reverse(state.State.Jobs).Take(Math.Max(0, limit)).ToList());

    public Task<bool> Owns(string jobId) => Task.FromResult(state.State.Jobs.Contains(jobId));

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
            await state.WriteStateAsync();
        }
    }

    private IRenderJobGrain Job(string jobId) => GrainFactory.GetGrain<IRenderJobGrain>(jobId);

    // the tenant is part of the id, so ids never collide across tenants and a job's owner is visible in logs
    private string NewJobId() => $"{Sanitise(Tenant)}-{Guid.NewGuid().ToString("N")[..16]}";

    private static string Sanitise(string s) => string.Concat(s.Where(c => char.IsAsciiLetterOrDigit(c) || c == '-')).ToLowerInvariant();
}
