using Orleans.Storage;
using VideoDiffusion.Farm.Artifacts;

namespace VideoDiffusion.Farm.Grains.Storage;

/// <summary>
/// Grain state kept in the artifact store (files here, Azure Blob in a cluster), so a job's state outlives the silo
/// that hosted it without an extra database. Writes are conditional on the version read (ETags), so a second
/// activation of a grain cannot silently overwrite the first's state; keys encode grain ids reversibly, so distinct
/// ids never share a blob.
/// </summary>
public sealed class FarmStorage(IArtifactStore store, IGrainStorageSerializer serializer) : IGrainStorage
{
    public const string Name = "farm";

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var stored = await store.ReadVersionedAsync(KeyOf(stateName, grainId));
        if (stored is null)
        {
            grainState.State = Activator.CreateInstance<T>();
            grainState.RecordExists = false;
            grainState.ETag = null;
            return;
        }
        grainState.State = serializer.Deserialize<T>(new BinaryData(stored.Content));
        grainState.RecordExists = true;
        grainState.ETag = stored.Version;
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var key = KeyOf(stateName, grainId);
        using var stream = serializer.Serialize(grainState.State).ToStream();
        try
        {
            grainState.ETag = await store.PutIfVersionAsync(key, stream, grainState.ETag);
        }
        catch (ArtifactVersionConflictException e)
        {
            throw new InconsistentStateException($"the state of {grainId} ({key}) was written by someone else since it was read", "", grainState.ETag ?? "", e);
        }
        grainState.RecordExists = true;
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await store.DeleteAsync(KeyOf(stateName, grainId));
        grainState.State = Activator.CreateInstance<T>();
        grainState.RecordExists = false;
        grainState.ETag = null;
    }

    public static string KeyOf(string stateName, GrainId grainId) =>
        $"grains/{Encode(grainId.Type.ToString()!)}/{Encode(grainId.Key.ToString()!)}.{Encode(stateName)}";

    /// <summary>Letters, digits and '-' as they are; every other character as '_' and the hex of its UTF-8 bytes, so the mapping is one to one.</summary>
    private static string Encode(string s)
    {
        var encoded = new System.Text.StringBuilder(s.Length);
        Span<byte> bytes = stackalloc byte[4];
        foreach (var rune in s.EnumerateRunes())
        {
            if (rune.IsAscii && (char.IsAsciiLetterOrDigit((char)rune.Value) || rune.Value == '-'))
            {
                encoded.Append((char)rune.Value);
                continue;
            }
            var length = rune.EncodeToUtf8(bytes);
            foreach (var b in bytes[..length])
            {
                encoded.Append('_').Append(b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        return encoded.ToString();
    }
}
