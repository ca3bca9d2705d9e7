using VideoDiffusion.Farm.Artifacts.AzureBlob;
using VideoDiffusion.Farm.Artifacts.FileSystem;

namespace VideoDiffusion.Farm.Artifacts;

/// <summary>Which artifact store a process uses (configuration section <c>Farm:Artifacts</c>).</summary>
public sealed class ArtifactStoreOptions
{
    public const string FileSystem = "FileSystem";
    public const string AzureBlob = "AzureBlob";

    /// <summary><c>FileSystem</c> or <c>AzureBlob</c>.</summary>
    public string Kind { get; set; } = FileSystem;

    /// <summary>Root folder of the file-system store.</summary>
    public string Path { get; set; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "videodiffusion-farm");

    /// <summary>Azure Storage connection string of the blob store.</summary>
    public string? ConnectionString { get; set; }

    public string Container { get; set; } = "farm";

    /// <summary>The configured store; a clear error names the missing setting.</summary>
    public IArtifactStore Create() => Kind.ToLowerInvariant() switch
    {
        "filesystem" => new FileSystemArtifactStore(Path),
        "azureblob" => new BlobArtifactStore(
            string.IsNullOrWhiteSpace(ConnectionString)
                ? throw new InvalidOperationException("Farm:Artifacts:ConnectionString is required when Farm:Artifacts:Kind is AzureBlob")
                : ConnectionString,
            Container),
        _ => throw new InvalidOperationException($"Farm:Artifacts:Kind must be {FileSystem} or {AzureBlob} (got '{Kind}')"),
    };
}
