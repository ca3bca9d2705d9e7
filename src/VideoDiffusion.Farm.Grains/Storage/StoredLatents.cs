using System.Buffers;
using System.Runtime.InteropServices;
using VideoDiffusion.Farm.Diffusion.Tensors;

namespace VideoDiffusion.Farm.Grains.Storage;

/// <summary>
/// Latents as stored: a header (frames, channels, height, width, step as 32-bit integers) and the raw little-endian
/// floats. Written and read without first gathering the whole content in one buffer: a Wan-shaped window is 8 MB,
/// and every checkpoint and final went through two or three copies of it on the silo's cores.
/// </summary>
public static class StoredLatents
{
    private const int HeaderBytes = 20;
    private const int ChunkBytes = 1 << 20;

    /// <summary>A stream of the stored form of <paramref name="latents"/>, read straight from its floats.</summary>
    public static Stream Writer(LatentTensor latents, int step)
    {
        var header = new byte[HeaderBytes];
        BitConverter.TryWriteBytes(header.AsSpan(0), latents.Frames);
        BitConverter.TryWriteBytes(header.AsSpan(4), latents.Channels);
        BitConverter.TryWriteBytes(header.AsSpan(8), latents.Height);
        BitConverter.TryWriteBytes(header.AsSpan(12), latents.Width);
        BitConverter.TryWriteBytes(header.AsSpan(16), step);
        return new LatentsReadStream(header, latents.Data);
    }

    /// <summary>Reads stored latents; <paramref name="key"/> names them in errors.</summary>
    public static async Task<(LatentTensor Latents, int Step)> ReadAsync(Stream stream, string key, CancellationToken cancellation)
    {
        var (frames, channels, height, width, step) = await ReadHeaderAsync(stream, key, cancellation);
        var data = new float[(long)frames * channels * height * width];
        var chunk = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            await ReadFloatsAsync(stream, data, chunk, key, cancellation);
            if (await stream.ReadAsync(chunk.AsMemory(0, 1), cancellation) != 0)
            {
                throw new InvalidDataException($"{key}: more bytes than a {frames}×{channels}×{height}×{width} latent holds");
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
        return (new LatentTensor(frames, channels, height, width, data), step);
    }

    /// <summary>
    /// Reads only frames <paramref name="wanted"/> of stored latents, in that order: a window given three keyframes of
    /// an anchor window reads those, not the anchor's whole latents. Seeks past the others where the stream can.
    /// </summary>
    public static async Task<float[][]> ReadFramesAsync(Stream stream, string key, IReadOnlyList<int> wanted, CancellationToken cancellation)
    {
        var (frames, channels, height, width, _) = await ReadHeaderAsync(stream, key, cancellation);
        var frameBytes = (long)channels * height * width * sizeof(float);
        var result = new float[wanted.Count][];
        var chunk = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            var position = (long)HeaderBytes;
            var previous = -1;
            foreach (var i in Enumerable.Range(0, wanted.Count).OrderBy(i => wanted[i]))
            {
                var frame = wanted[i];
                if (frame < 0 || frame >= frames)
                {
                    throw new InvalidDataException($"{key}: holds {frames} frames, not frame {frame}");
                }
                if (previous >= 0 && wanted[previous] == frame)
                {
                    result[i] = (float[])result[previous].Clone();
                    continue;
                }
                var at = HeaderBytes + frame * frameBytes;
                if (stream.CanSeek)
                {
                    stream.Seek(at, SeekOrigin.Begin);
                }
                else
                {
                    for (; position < at; position += Math.Min(ChunkBytes, at - position))
                    {
                        await ReadExactlyAsync(stream, chunk.AsMemory(0, (int)Math.Min(ChunkBytes, at - position)), key, cancellation);
                    }
                }
                result[i] = new float[channels * height * width];
                await ReadFloatsAsync(stream, result[i], chunk, key, cancellation);
                position = at + frameBytes;
                previous = i;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
        return result;
    }

    private static async Task<(int Frames, int Channels, int Height, int Width, int Step)> ReadHeaderAsync(Stream stream, string key, CancellationToken cancellation)
    {
        var header = new byte[HeaderBytes];
        await ReadExactlyAsync(stream, header, key, cancellation);
        int frames = BitConverter.ToInt32(header), channels = BitConverter.ToInt32(header.AsSpan(4)), height = BitConverter.ToInt32(header.AsSpan(8)),
            width = BitConverter.ToInt32(header.AsSpan(12)), step = BitConverter.ToInt32(header.AsSpan(16));
        if (frames <= 0 || channels <= 0 || height <= 0 || width <= 0 || (double)frames * channels * height * width > Array.MaxLength / sizeof(float))
        {
            throw new InvalidDataException($"{key}: not stored latents (shape {frames}×{channels}×{height}×{width})");
        }
        return (frames, channels, height, width, step);
    }

    /// <summary>Fills <paramref name="data"/> from the stream's next bytes, through <paramref name="chunk"/>.</summary>
    private static async Task ReadFloatsAsync(Stream stream, float[] data, byte[] chunk, string key, CancellationToken cancellation)
    {
        var bytes = (long)data.Length * sizeof(float);
        for (var offset = 0L; offset < bytes;)
        {
            var length = (int)Math.Min(ChunkBytes, bytes - offset);
            await ReadExactlyAsync(stream, chunk.AsMemory(0, length), key, cancellation);
            Buffer.BlockCopy(chunk, 0, data, (int)offset, length);
            offset += length;
        }
    }

    private static async Task ReadExactlyAsync(Stream stream, Memory<byte> buffer, string key, CancellationToken cancellation)
    {
        try
        {
            await stream.ReadExactlyAsync(buffer, cancellation);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"{key}: truncated latents", e);
        }
    }

    /// <summary>A read-only view of a header followed by floats as bytes.</summary>
    private sealed class LatentsReadStream(byte[] header, float[] data) : Stream
    {
        private long _position;

        public override bool CanRead => true;
        public override bool CanSeek => true;
        public override bool CanWrite => false;
        public override long Length => header.Length + (long)data.Length * sizeof(float);

        public override long Position
        {
            get => _position;
            set => _position = value >= 0 && value <= Length ? value : throw new ArgumentOutOfRangeException(nameof(value));
        }

        public override int Read(Span<byte> buffer)
        {
            var read = 0;
            while (read < buffer.Length && _position < Length)
            {
                ReadOnlySpan<byte> source = _position < header.Length
                    ? header.AsSpan((int)_position)
                    : MemoryMarshal.AsBytes(data.AsSpan())[(int)(_position - header.Length)..];
                var length = Math.Min(source.Length, buffer.Length - read);
                source[..length].CopyTo(buffer[read..]);
                read += length;
                _position += length;
            }
            return read;
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            cancellationToken.IsCancellationRequested ? ValueTask.FromCanceled<int>(cancellationToken) : new(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => Length + offset,
        };

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
