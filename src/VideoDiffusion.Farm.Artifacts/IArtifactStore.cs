namespace VideoDiffusion.Farm.Artifacts;

/// <summary>Where videos and latent checkpoints live: a file system here, Azure Blob in a cluster.</summary>
public interface IArtifactStore
{
    /// <summary>Stores the content under <paramref name="key"/> (slash-separated), replacing any previous value.</summary>
    Task PutAsync(string key, Stream content, CancellationToken cancellation = default);

    /// <summary>Opens the content stored under <paramref name="key"/>, or null when there is none.</summary>
    Task<Stream?> OpenAsync(string key, CancellationToken cancellation = default);

    /// <summary>The whole content under <paramref name="key"/> and its version tag, or null when there is none.</summary>
    Task<VersionedArtifact?> ReadVersionedAsync(string key, CancellationToken cancellation = default);

    /// <summary>
    /// Stores the content only if the stored version is still <paramref name="version"/> (null: only if nothing is
    /// stored) and returns the new version; otherwise throws <see cref="ArtifactVersionConflictException"/>.
    /// </summary>
    Task<string> PutIfVersionAsync(string key, Stream content, string? version, CancellationToken cancellation = default);

    Task<bool> ExistsAsync(string key, CancellationToken cancellation = default);

    Task DeleteAsync(string key, CancellationToken cancellation = default);

    /// <summary>The keys stored under <paramref name="prefix"/> (a key's leading characters, usually a folder ending in '/').</summary>
    Task<IReadOnlyList<string>> ListAsync(string prefix, CancellationToken cancellation = default);

    /// <summary>A location a person or a tool can use: a file path or a blob URI.</summary>
    string LocationOf(string key);
}
