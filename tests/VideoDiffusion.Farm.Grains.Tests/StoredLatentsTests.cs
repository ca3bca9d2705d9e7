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

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task OnlyTheFramesAskedForAreReadInTheOrderAsked(bool seekable)
    {
        var latents = Latents(21);
        await using var stored = new MemoryStream();
        await StoredLatents.Writer(latents, 10).CopyToAsync(stored);
        await using var stream = seekable ? new MemoryStream(stored.ToArray()) : new ForwardOnlyStream(stored.ToArray());
        int[] wanted = [16, 0, 8, 20];
        var frames = await StoredLatents.ReadFramesAsync(stream, "final.bin", wanted, CancellationToken.None);
        Assert.Equal(wanted.Length, frames.Length);
        for (var i = 0; i < wanted.Length; i++)
        {
            Assert.Equal(latents.Frame(wanted[i]).ToArray().Select(BitConverter.SingleToInt32Bits), frames[i].Select(BitConverter.SingleToInt32Bits));
        }
        await using var again = new MemoryStream(stored.ToArray());
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => StoredLatents.ReadFramesAsync(again, "final.bin", [21], CancellationToken.None));
        Assert.Contains("holds 21 frames, not frame 21", error.Message);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task FramesPastTheEndOfTruncatedLatentsAreRefusedAndAFrameAskedTwiceComesTwice(bool seekable)
    {
        var latents = Latents(21);
        await using var stored = new MemoryStream();
        await StoredLatents.Writer(latents, 10).CopyToAsync(stored);
        var frameBytes = 16 * 60 * 104 * sizeof(float);
        var truncated = stored.ToArray()[..(20 + 10 * frameBytes)]; // frames 0-9 only
        Stream Open(byte[] bytes) => seekable ? new MemoryStream(bytes) : new ForwardOnlyStream(bytes);

        await using (var stream = Open(truncated))
        {
            var error = await Assert.ThrowsAsync<InvalidDataException>(
                () => Task.Run(() => StoredLatents.ReadFramesAsync(stream, "final.bin", [2, 16], CancellationToken.None)).WaitAsync(TimeSpan.FromSeconds(30)));
            Assert.Contains("final.bin: truncated", error.Message);
        }
        await using (var stream = Open(stored.ToArray()))
        {
            var frames = await StoredLatents.ReadFramesAsync(stream, "final.bin", [4, 12, 4], CancellationToken.None);
            Assert.Equal(latents.Frame(4).ToArray().Select(BitConverter.SingleToInt32Bits), frames[0].Select(BitConverter.SingleToInt32Bits));
            Assert.Equal(latents.Frame(12).ToArray().Select(BitConverter.SingleToInt32Bits), frames[1].Select(BitConverter.SingleToInt32Bits));
            Assert.Equal(frames[0].Select(BitConverter.SingleToInt32Bits), frames[2].Select(BitConverter.SingleToInt32Bits));
            Assert.NotSame(frames[0], frames[2]);
        }
    }

    /// <summary>A stream that can only be read front to back, as a network stream is.</summary>
    private sealed class ForwardOnlyStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;

        public override long Seek(long offset, SeekOrigin loc) => throw new NotSupportedException();
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
