namespace VideoDiffusion.Farm.Artifacts.FileSystem;

/// <summary>
/// Artifacts as files under a root folder; writes go to a temporary file first, then move into place. A version is the
/// SHA-256 of the content; conditional writes are serialised per root folder within this process.
/// </summary>
public sealed class FileSystemArtifactStore(string root) : IArtifactStore
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, SemaphoreSlim> ConditionalWrites = new();

    public string Root { get; } = Path.GetFullPath(root);

    public async Task<VersionedArtifact?> ReadVersionedAsync(string key, CancellationToken cancellation = default)
    {
        var path = PathOf(key);
        if (!File.Exists(path))
        {
            return null;
        }
        try
        {
            var content = await File.ReadAllBytesAsync(path, cancellation);
            return new VersionedArtifact(content, VersionOf(content));
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    public async Task<string> PutIfVersionAsync(string key, Stream content, string? version, CancellationToken cancellation = default)
    {
        var gate = ConditionalWrites.GetOrAdd(Root, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellation);
        try
        {
            var stored = await ReadVersionedAsync(key, cancellation);
            if (stored?.Version != version)
            {
                throw new ArtifactVersionConflictException(key, version);
            }
            using var buffer = new MemoryStream();
            await content.CopyToAsync(buffer, cancellation);
            buffer.Position = 0;
            await PutAsync(key, buffer, cancellation);
            return VersionOf(buffer.ToArray());
        }
        finally
        {
            gate.Release();
        }
    }

    private static string VersionOf(byte[] content) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(content));

    public async Task PutAsync(string key, Stream content, CancellationToken cancellation = default)
    {
        var path = PathOf(key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        await using (var file = File.Create(temporary))
        {
            await content.CopyToAsync(file, cancellation);
        }
        File.Move(temporary, path, overwrite: true);
    }

    public Task<Stream?> OpenAsync(string key, CancellationToken cancellation = default)
    {
        var path = PathOf(key);
        return Task.FromResult<Stream?>(File.Exists(path) ? File.OpenRead(path) : null);
    }

    public Task<bool> ExistsAsync(string key, CancellationToken cancellation = default) => Task.FromResult(File.Exists(PathOf(key)));

    public Task DeleteAsync(string key, CancellationToken cancellation = default)
    {
        File.Delete(PathOf(key));
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<string>> ListAsync(string prefix, CancellationToken cancellation = default)
    {
        var folder = Path.Combine(Root, prefix[..(prefix.LastIndexOf('/') + 1)]);
        IReadOnlyList<string> keys = !Directory.Exists(folder)
            ? []
            : Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
                .Where(path => !path.EndsWith(".tmp", StringComparison.Ordinal)) // a write in progress
                .Select(path => Path.GetRelativePath(Root, path).Replace(Path.DirectorySeparatorChar, '/'))
                .Where(key => key.StartsWith(prefix, StringComparison.Ordinal))
                .Order(StringComparer.Ordinal)
                .ToList();
        return Task.FromResult(keys);
    }

    public string LocationOf(string key) => PathOf(key);

    private string PathOf(string key) => Path.Combine(Root, ArtifactKey.Validate(key));
}
