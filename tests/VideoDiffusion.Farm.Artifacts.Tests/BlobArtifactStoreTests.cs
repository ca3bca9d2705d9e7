using System.Net;
using System.Net.Sockets;
using VideoDiffusion.Farm.Artifacts;
using VideoDiffusion.Farm.Artifacts.AzureBlob;

namespace VideoDiffusion.Farm.Artifacts.Tests;

/// <summary>One real Azurite for all tests of a class; each test takes its own container.</summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private AzuriteServer? _server;

    public AzuriteServer Server => _server ?? throw new InvalidOperationException("Azurite is not started");

    public async Task InitializeAsync() => _server = await AzuriteServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}

public sealed class BlobArtifactStoreTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private readonly string _container = $"farm-{Guid.NewGuid():N}";

    private BlobArtifactStore NewStore() => new(azurite.Server.ConnectionString, _container);

    private static byte[] Payload(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    [Fact]
    public async Task SeveralMegabytesRoundTrip()
    {
        var store = NewStore();
        var payload = Payload(5 * 1024 * 1024 + 123, seed: 1);
        await store.PutAsync("jobs/1/video.mp4", new MemoryStream(payload));
        await using var stream = await store.OpenAsync("jobs/1/video.mp4");
        Assert.NotNull(stream);
        Assert.Equal(payload, await ReadAllAsync(stream));
    }

    [Fact]
    public async Task PutOverwritesThePreviousContent()
    {
        var store = NewStore();
        await store.PutAsync("jobs/1/latent.bin", new MemoryStream(Payload(300_000, seed: 2)));
        await store.PutAsync("jobs/1/latent.bin", new MemoryStream([4, 5]));
        await using var stream = (await store.OpenAsync("jobs/1/latent.bin"))!;
        Assert.Equal([4, 5], await ReadAllAsync(stream));
    }

    [Fact]
    public async Task MissingKeysOpenAsNullWhetherOrNotTheContainerExists()
    {
        var store = NewStore();
        // nothing written yet: the container does not exist either
        Assert.Null(await store.OpenAsync("jobs/1/video.mp4"));
        Assert.False(await store.ExistsAsync("jobs/1/video.mp4"));
        await store.DeleteAsync("jobs/1/video.mp4");

        await store.PutAsync("jobs/1/other.mp4", new MemoryStream([1]));
        Assert.Null(await store.OpenAsync("jobs/1/video.mp4"));
        Assert.False(await store.ExistsAsync("jobs/1/video.mp4"));
    }

    [Fact]
    public async Task ListGivesTheKeysUnderAPrefixAndNothingWithoutAContainer()
    {
        var store = NewStore();
        Assert.Empty(await store.ListAsync("jobs/3/"));
        foreach (var key in new[] { "jobs/3/p/0/final.bin", "jobs/3/video.mp4", "jobs/30/video.mp4" })
        {
            await store.PutAsync(key, new MemoryStream([1]));
        }
        Assert.Equal(["jobs/3/p/0/final.bin", "jobs/3/video.mp4"], await store.ListAsync("jobs/3/"));
    }

    [Fact]
    public async Task ExistsAndDelete()
    {
        var store = NewStore();
        await store.PutAsync("jobs/2/video.mp4", new MemoryStream([1, 2, 3]));
        Assert.True(await store.ExistsAsync("jobs/2/video.mp4"));
        await store.DeleteAsync("jobs/2/video.mp4");
        Assert.False(await store.ExistsAsync("jobs/2/video.mp4"));
        Assert.Null(await store.OpenAsync("jobs/2/video.mp4"));
        // deleting again is not an error, as with files
        await store.DeleteAsync("jobs/2/video.mp4");
    }

    [Fact]
    public async Task ConcurrentFirstWritesCreateTheContainerOnce()
    {
        var store = NewStore();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(i => store.PutAsync($"jobs/{i}/video.mp4", new MemoryStream([(byte)i]))));
        for (var i = 0; i < 8; i++)
        {
            await using var stream = (await store.OpenAsync($"jobs/{i}/video.mp4"))!;
            Assert.Equal([(byte)i], await ReadAllAsync(stream));
        }
    }

    [Fact]
    public async Task ConditionalWritesFollowTheETag()
    {
        var store = NewStore();
        Assert.Null(await store.ReadVersionedAsync("grains/t/a.state"));
        var first = await store.PutIfVersionAsync("grains/t/a.state", new MemoryStream([1]), null);
        await Assert.ThrowsAsync<ArtifactVersionConflictException>(() => store.PutIfVersionAsync("grains/t/a.state", new MemoryStream([2]), null));
        var read = (await store.ReadVersionedAsync("grains/t/a.state"))!;
        Assert.Equal((byte[])[1], read.Content);
        Assert.Equal(first, read.Version);
        var second = await store.PutIfVersionAsync("grains/t/a.state", new MemoryStream([3]), first);
        Assert.NotEqual(first, second);
        await Assert.ThrowsAsync<ArtifactVersionConflictException>(() => store.PutIfVersionAsync("grains/t/a.state", new MemoryStream([4]), first));
        Assert.Equal((byte[])[3], (await store.ReadVersionedAsync("grains/t/a.state"))!.Content);
    }

    [Fact]
    public async Task AWriteAfterTheContainerWasLostCreatesItAgain()
    {
        var store = NewStore();
        await store.PutAsync("jobs/5/plan.json", new MemoryStream([1]));
        // what a blob service restarted empty looks like to a store that already created its container
        await new Azure.Storage.Blobs.BlobContainerClient(azurite.Server.ConnectionString, _container).DeleteAsync();
        await Poll.UntilAsync(() => store.ExistsAsync("jobs/5/plan.json"), exists => !exists, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(100), _ => "the container was not deleted");

        await store.PutAsync("jobs/5/video.mp4", new MemoryStream([7, 8]));
        await using var stream = (await store.OpenAsync("jobs/5/video.mp4"))!;
        Assert.Equal([7, 8], await ReadAllAsync(stream));
    }

    [Fact]
    public async Task OpenStreamsSeekToReadARange()
    {
        var store = NewStore();
        var payload = Payload(3 * 1024 * 1024, seed: 3);
        await store.PutAsync("jobs/3/video.mp4", new MemoryStream(payload));
        await using var stream = (await store.OpenAsync("jobs/3/video.mp4"))!;
        Assert.True(stream.CanSeek);
        Assert.Equal(payload.Length, stream.Length);

        async Task AssertRangeAsync(long offset, int count)
        {
            stream.Seek(offset, SeekOrigin.Begin);
            var range = new byte[count];
            await stream.ReadExactlyAsync(range);
            Assert.Equal(payload.AsSpan((int)offset, count).ToArray(), range);
            Assert.Equal(offset + count, stream.Position);
        }

        await AssertRangeAsync(2_500_000, 10_000);
        // backwards, then across the end
        await AssertRangeAsync(17, 100);
        await AssertRangeAsync(payload.Length - 50, 50);
        Assert.Equal(0, await stream.ReadAsync(new byte[10]));
    }

    [Fact]
    public void LocationIsTheBlobUri()
    {
        var location = NewStore().LocationOf("jobs/4/video.mp4");
        Assert.Equal($"{azurite.Server.BlobEndpoint}/{_container}/jobs/4/video.mp4", location);
        Assert.Contains(_container, location);
        Assert.EndsWith("jobs/4/video.mp4", location);
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("/abs")]
    [InlineData("a//b")]
    [InlineData("a/./b")]
    [InlineData("a\\b")]
    [InlineData("")]
    public async Task InvalidKeysAreRefused(string key)
    {
        var store = NewStore();
        await Assert.ThrowsAsync<ArgumentException>(() => store.PutAsync(key, new MemoryStream([1])));
        await Assert.ThrowsAsync<ArgumentException>(() => store.OpenAsync(key));
        await Assert.ThrowsAsync<ArgumentException>(() => store.ExistsAsync(key));
        await Assert.ThrowsAsync<ArgumentException>(() => store.DeleteAsync(key));
        Assert.Throws<ArgumentException>(() => store.LocationOf(key));
    }
}

/// <summary>Proves the shared Redis launcher with the protocol's simplest exchange.</summary>
public sealed class RedisServerTests
{
    [Fact]
    public async Task StartsAndAnswersPing()
    {
        await using var redis = await RedisServer.StartAsync();
        Assert.Equal($"127.0.0.1:{redis.Port}", redis.ConnectionString);

        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, redis.Port);
        await using var stream = client.GetStream();
        await stream.WriteAsync("PING\r\n"u8.ToArray());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var reply = new System.Text.StringBuilder();
        var buffer = new byte[64];
        while (!reply.ToString().Contains("\r\n"))
        {
            var read = await stream.ReadAsync(buffer, timeout.Token);
            Assert.NotEqual(0, read);
            reply.Append(System.Text.Encoding.ASCII.GetString(buffer, 0, read));
        }
        Assert.StartsWith("+PONG", reply.ToString());
    }
}
