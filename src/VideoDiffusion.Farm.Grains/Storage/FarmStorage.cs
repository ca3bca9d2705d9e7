using Orleans.Storage;
using VideoDiffusion.Farm.Artifacts;

namespace VideoDiffusion.Farm.Grains.Storage;

/// <summary>
/// Grain state kept in the artifact store (files here, Azure Blob in a cluster), so a job's state outlives the silo
/// that hosted it without an extra database.
/// </summary>
public sealed class FarmStorage(IArtifactStore store, IGrainStorageSerializer serializer) : IGrainStorage
{
    public const string Name = "farm";

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await using var stream = await store.OpenAsync(KeyOf(stateName, grainId));
        if (stream is null)
        {
            grainState.State = Activator.CreateInstance<T>();
            grainState.RecordExists = false;
            return;
        }
        var data = await BinaryData.FromStreamAsync(stream);
        grainState.State = serializer.Deserialize<T>(data);
        grainState.RecordExists = true;
        grainState.ETag = "1";
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        using var stream = serializer.Serialize(grainState.State).ToStream();
        await store.PutAsync(KeyOf(stateName, grainId), stream);
        grainState.RecordExists = true;
        grainState.ETag = "1";
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await store.DeleteAsync(KeyOf(stateName, grainId));
        grainState.State = Activator.CreateInstance<T>();
        grainState.RecordExists = false;
    }

    private static string KeyOf(string stateName, GrainId grainId) =>
        $"grains/{Sanitise(grainId.Type.ToString()!)}/{Sanitise(grainId.Key.ToString()!)}.{Sanitise(stateName)}";

    private static string Sanitise(string s) => string.Concat(s.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' ? c : '_'));
}
