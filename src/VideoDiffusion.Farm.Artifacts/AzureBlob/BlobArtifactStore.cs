using Azure;
using Azure.Core;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace VideoDiffusion.Farm.Artifacts.AzureBlob;

/// <summary>
/// Artifacts as block blobs in one Azure Blob container (or Azurite), created on first write and again when a write
/// finds it gone.
/// </summary>
public sealed class BlobArtifactStore : IArtifactStore
{
    private readonly BlobContainerClient _container;
    private readonly SemaphoreSlim _creating = new(1, 1);
    private volatile bool _containerReady;

    public BlobArtifactStore(string connectionString, string container)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ArgumentException.ThrowIfNullOrWhiteSpace(container);
        // 12.30's default service version is newer than Azurite 3.37 accepts (it answers 400 InvalidHeaderValue);
        // 2026-06-06 is the newest both Azure and Azurite 3.37 speak
        var options = new BlobClientOptions(BlobClientOptions.ServiceVersion.V2026_06_06);
        // a few quick retries: a render step waiting on storage should fail in seconds, not minutes
        options.Retry.Mode = RetryMode.Exponential;
        options.Retry.MaxRetries = 3;
        options.Retry.Delay = TimeSpan.FromMilliseconds(200);
        options.Retry.MaxDelay = TimeSpan.FromSeconds(2);
        _container = new BlobServiceClient(connectionString, options).GetBlobContainerClient(container);
    }

    public string ContainerName => _container.Name;

    public async Task PutAsync(string key, Stream content, CancellationToken cancellation = default)
    {
        await UploadAsync(BlobOf(key), content, new BlobUploadOptions(), cancellation);
    }

    public async Task<VersionedArtifact?> ReadVersionedAsync(string key, CancellationToken cancellation = default)
    {
        try
        {
            var download = await BlobOf(key).DownloadContentAsync(cancellation);
            return new VersionedArtifact(download.Value.Content.ToArray(), download.Value.Details.ETag.ToString());
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    public async Task<string> PutIfVersionAsync(string key, Stream content, string? version, CancellationToken cancellation = default)
    {
        var conditions = version is null ? new BlobRequestConditions { IfNoneMatch = ETag.All } : new BlobRequestConditions { IfMatch = new ETag(version) };
        try
        {
            var uploaded = await UploadAsync(BlobOf(key), content, new BlobUploadOptions { Conditions = conditions }, cancellation);
            return uploaded.ETag.ToString();
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            throw new ArtifactVersionConflictException(key, version);
        }
    }

    private async Task<BlobContentInfo> UploadAsync(BlobClient blob, Stream content, BlobUploadOptions options, CancellationToken cancellation)
    {
        await EnsureContainerAsync(cancellation);
        var start = content.CanSeek ? content.Position : -1;
        try
        {
            return await blob.UploadAsync(content, options, cancellation);
        }
        catch (RequestFailedException e) when (e.ErrorCode == BlobErrorCode.ContainerNotFound && start >= 0)
        {
            // the blob service lost the container (restarted empty, or someone deleted it): create it again, retry once
            _containerReady = false;
            await EnsureContainerAsync(cancellation);
            content.Position = start;
            return await blob.UploadAsync(content, options, cancellation);
        }
    }

    public async Task<Stream?> OpenAsync(string key, CancellationToken cancellation = default)
    {
        var blob = BlobOf(key);
        try
        {
            // OpenRead fetches the blob's properties up front, so a missing blob (or container) fails here, not on a
            // later Read; without modifications allowed, an overwrite during a read fails the read instead of
            // splicing two versions together
            return await blob.OpenReadAsync(new BlobOpenReadOptions(allowModifications: false), cancellation);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    public async Task<bool> ExistsAsync(string key, CancellationToken cancellation = default)
    {
        var blob = BlobOf(key);
        try
        {
            return (await blob.ExistsAsync(cancellation)).Value;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // the container itself is missing
            return false;
        }
    }

    public async Task DeleteAsync(string key, CancellationToken cancellation = default)
    {
        var blob = BlobOf(key);
        try
        {
            await blob.DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: cancellation);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // the container itself is missing: nothing to delete, as with a missing file
        }
    }

    public async Task<IReadOnlyList<string>> ListAsync(string prefix, CancellationToken cancellation = default)
    {
        var keys = new List<string>();
        try
        {
            await foreach (var blob in _container.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix, cancellation))
            {
                keys.Add(blob.Name);
            }
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // the container itself is missing: nothing is stored
        }
        return keys;
    }

    public string LocationOf(string key) => BlobOf(key).Uri.AbsoluteUri;

    private BlobClient BlobOf(string key) => _container.GetBlobClient(ArtifactKey.Validate(key));

    private async Task EnsureContainerAsync(CancellationToken cancellation)
    {
        if (_containerReady)
        {
            return;
        }
        await _creating.WaitAsync(cancellation);
        try
        {
            if (!_containerReady)
            {
                await _container.CreateIfNotExistsAsync(cancellationToken: cancellation);
                _containerReady = true;
            }
        }
        finally
        {
            _creating.Release();
        }
    }
}
