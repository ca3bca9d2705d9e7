using Microsoft.Extensions.Logging;
using Orleans.Storage;

namespace VideoDiffusion.Farm.Grains.Storage;

/// <summary>
/// Grain storage over a store that can lose every record at once (a Redis without persistence that restarts empty).
/// The active grain's state is then the only copy: a conditional write whose record is gone altogether (not one changed
/// by someone else) is written again as a new record, where the inner storage would report a version conflict and the
/// grain would be deactivated and come back empty. A record another writer changed is still a conflict.
/// </summary>
public sealed class LostRecordStorage(IGrainStorage inner, ILogger<LostRecordStorage> logger) : IGrainStorage
{
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ReadStateAsync(stateName, grainId, grainState);

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        UnlessGoneAsync(stateName, grainId, grainState, () => inner.WriteStateAsync(stateName, grainId, grainState), () =>
        {
            logger.LogWarning("the stored state of {Grain} is gone (the store restarted empty); writing it again from the active grain", grainId);
            grainState.ETag = null; // the write is still conditional: it succeeds only while no record exists
            return inner.WriteStateAsync(stateName, grainId, grainState);
        });

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        UnlessGoneAsync(stateName, grainId, grainState, () => inner.ClearStateAsync(stateName, grainId, grainState), () =>
        {
            // nothing left to clear
            (grainState.State, grainState.ETag, grainState.RecordExists) = (Activator.CreateInstance<T>(), null, false);
            return Task.CompletedTask;
        });

    /// <summary>Runs <paramref name="call"/>; when it conflicts because the record is gone altogether, runs <paramref name="gone"/> instead.</summary>
    private async Task UnlessGoneAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, Func<Task> call, Func<Task> gone)
    {
        try
        {
            await call();
        }
        catch (InconsistentStateException) when (grainState.ETag is not null)
        {
            if (!await IsGoneAsync<T>(stateName, grainId))
            {
                throw;
            }
            await gone();
        }
    }

    private async Task<bool> IsGoneAsync<T>(string stateName, GrainId grainId)
    {
        var stored = new GrainState<T>();
        await inner.ReadStateAsync(stateName, grainId, stored);
        return stored.ETag is null;
    }
}
