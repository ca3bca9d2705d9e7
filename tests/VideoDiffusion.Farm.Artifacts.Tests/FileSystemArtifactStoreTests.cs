using VideoDiffusion.Farm.Artifacts;
using VideoDiffusion.Farm.Artifacts.FileSystem;

namespace VideoDiffusion.Farm.Artifacts.Tests;

public sealed class FileSystemArtifactStoreTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("farm-store-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task PutOpenExistsDelete()
    {
        var store = new FileSystemArtifactStore(_dir);
        Assert.False(await store.ExistsAsync("jobs/1/video.mp4"));
        Assert.Null(await store.OpenAsync("jobs/1/video.mp4"));
        await store.PutAsync("jobs/1/video.mp4", new MemoryStream([1, 2, 3]));
        await store.PutAsync("jobs/1/video.mp4", new MemoryStream([4, 5]));
        Assert.True(await store.ExistsAsync("jobs/1/video.mp4"));
        await using (var s = (await store.OpenAsync("jobs/1/video.mp4"))!)
        {
            var buffer = new MemoryStream();
            await s.CopyToAsync(buffer);
            Assert.Equal([4, 5], buffer.ToArray());
        }
        Assert.Equal(Path.Combine(_dir, "jobs/1/video.mp4"), store.LocationOf("jobs/1/video.mp4"));
        await store.DeleteAsync("jobs/1/video.mp4");
        Assert.False(await store.ExistsAsync("jobs/1/video.mp4"));
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task ListGivesTheKeysUnderAPrefix()
    {
        var store = new FileSystemArtifactStore(_dir);
        Assert.Empty(await store.ListAsync("jobs/3/"));
        foreach (var key in new[] { "jobs/3/p/0/final.bin", "jobs/3/video.mp4", "jobs/30/video.mp4" })
        {
            await store.PutAsync(key, new MemoryStream([1]));
        }
        Assert.Equal(["jobs/3/p/0/final.bin", "jobs/3/video.mp4"], await store.ListAsync("jobs/3/"));
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("/abs")]
    [InlineData("a//b")]
    [InlineData("a/./b")]
    [InlineData("")]
    public async Task KeysThatCouldEscapeTheRootAreRefused(string key) =>
        await Assert.ThrowsAsync<ArgumentException>(() => new FileSystemArtifactStore(_dir).PutAsync(key, new MemoryStream()));
}
