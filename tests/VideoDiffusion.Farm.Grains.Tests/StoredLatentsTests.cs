using VideoDiffusion.Farm.Artifacts.FileSystem;
using VideoDiffusion.Farm.Diffusion.Tensors;
using VideoDiffusion.Farm.Grains.Storage;

namespace VideoDiffusion.Farm.Grains.Tests;

/// <summary>Latents stored and read back through a real file-system store, and stored bytes that are not latents.</summary>
public sealed class StoredLatentsTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("stored-latents-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static LatentTensor Latents(int frames)
    {
        var random = new Random(frames);
        var latents = new LatentTensor(frames, 16, 60, 104);
        for (var i = 0; i < latents.Data.Length; i++)
        {
            latents.Data[i] = (float)random.NextDouble() - 0.5f;
        }
        latents.Data[0] = float.NaN;
        latents.Data[1] = -0f;
        return latents;
    }

    [Fact]
    public async Task LatentsLargerThanOneChunkComeBackBitForBitWithTheirStep()
    {
        var artifacts = new JobArtifacts(new FileSystemArtifactStore(_root));
        var latents = Latents(21); // 8.4 MB: several read chunks, the last one partial
        await artifacts.SaveLatentsAsync("jobs/j/main/0/checkpoint-5.bin", latents, 5);
        Assert.Equal(20 + latents.Data.Length * 4L, new FileInfo(Path.Combine(_root, "jobs/j/main/0/checkpoint-5.bin")).Length);
        var (back, step) = (await artifacts.LoadLatentsAsync("jobs/j/main/0/checkpoint-5.bin"))!.Value;
        Assert.Equal(5, step);
        Assert.Equal((21, 16, 60, 104), (back.Frames, back.Channels, back.Height, back.Width));
        Assert.Equal(latents.Data.Select(BitConverter.SingleToInt32Bits), back.Data.Select(BitConverter.SingleToInt32Bits));
        Assert.Null(await artifacts.LoadLatentsAsync("jobs/j/main/0/checkpoint-10.bin"));
    }

    [Fact]
    public async Task TruncatedLongerAndForeignContentIsRefusedByName()
    {
        var artifacts = new JobArtifacts(new FileSystemArtifactStore(_root));
        await artifacts.SaveLatentsAsync("a/final.bin", Latents(2), 20);
        var path = Path.Combine(_root, "a/final.bin");
        var bytes = await File.ReadAllBytesAsync(path);
        await File.WriteAllBytesAsync(path, bytes[..^4]);
        Assert.Contains("a/final.bin: truncated", (await Assert.ThrowsAsync<InvalidDataException>(() => artifacts.LoadLatentsAsync("a/final.bin"))).Message);
        await File.WriteAllBytesAsync(path, [.. bytes, 0]);
        Assert.Contains("more bytes", (await Assert.ThrowsAsync<InvalidDataException>(() => artifacts.LoadLatentsAsync("a/final.bin"))).Message);
        await File.WriteAllTextAsync(path, "{\"not\": \"latents at all\"}");
        Assert.Contains("not stored latents", (await Assert.ThrowsAsync<InvalidDataException>(() => artifacts.LoadLatentsAsync("a/final.bin"))).Message);
    }
}
