using System.Runtime.InteropServices;

namespace VideoDiffusion.Farm.Abstractions.Protocol;

/// <summary>
/// Floats as one block of little-endian bytes, the form latents and overlap frames travel in. Orleans' code generator
/// serializes a <c>float[]</c> field element by element, each float a field of its own behind an interface call: a
/// Wan-shaped window's 2 million floats took tens of milliseconds of CPU each way and a quarter more bytes. A byte
/// array is one length and one copy.
/// </summary>
public static class FloatBytes
{
    static FloatBytes()
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("the farm's wire format for floats is little-endian");
        }
    }

    public static byte[] From(ReadOnlySpan<float> values) => MemoryMarshal.AsBytes(values).ToArray();

    /// <summary>The floats of <paramref name="bytes"/>; refuses a length that is not whole floats.</summary>
    public static float[] ToFloats(ReadOnlySpan<byte> bytes) =>
        bytes.Length % sizeof(float) == 0
            ? MemoryMarshal.Cast<byte, float>(bytes).ToArray()
            : throw new InvalidDataException($"{bytes.Length} bytes are not whole floats");
}
