using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using VideoDiffusion.Farm.Abstractions.Protocol;
using VideoDiffusion.Farm.Grains.Windows;

namespace VideoDiffusion.Farm.Grains.Tests;

/// <summary>Floats travel between silos as one block of bytes, every bit kept.</summary>
public sealed class FloatBytesTests
{
    private static readonly Serializer Serializer = new ServiceCollection()
        .AddSerializer(builder => builder.AddAssembly(typeof(EdgeMessage).Assembly).AddAssembly(typeof(WindowHandOver).Assembly))
        .BuildServiceProvider().GetRequiredService<Serializer>();

    private static float[] Awkward(int count)
    {
        var random = new Random(7);
        var values = Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        values[0] = -0f;
        values[1] = float.NaN;
        values[2] = float.PositiveInfinity;
        values[3] = float.Epsilon;
        return values;
    }

    [Fact]
    public void AnEdgeIsFourBytesAFloatAndComesBackBitForBit()
    {
        var frames = Awkward(100_000);
        var bytes = Serializer.SerializeToArray(new EdgeMessage(7, 3, frames));
        // Orleans' generated code for a float[] field spends a field header on every element: 5 bytes a float
        Assert.InRange(bytes.Length, frames.Length * 4, frames.Length * 4 + 64);
        var back = Serializer.Deserialize<EdgeMessage>(bytes)!;
        Assert.Equal((7, 3), (back.Step, back.FromWindow));
        Assert.Equal(Bits(frames), Bits(back.Frames));
    }

    [Fact]
    public void AHandOverKeepsItsLatentsAndItsEdges()
    {
        var latents = Awkward(50_000);
        var edge = new EdgeMessage(4, 2, Awkward(1_000));
        var handOver = new WindowHandOver
        {
            NextStep = 4,
            Latents = FloatBytes.From(latents),
            Edges = new EdgeMailboxContents { Inbox = [edge], SentTo = [2], Sent = [edge], LogFrom = 0, LastStepFrom = new() { [2] = 3 } },
        };
        var back = Serializer.Deserialize<WindowHandOver>(Serializer.SerializeToArray(handOver))!;
        Assert.Equal(Bits(latents), Bits(FloatBytes.ToFloats(back.Latents)));
        Assert.Equal(Bits(edge.Frames), Bits(back.Edges.Inbox[0].Frames));
        Assert.Equal(Bits(edge.Frames), Bits(back.Edges.Sent[0].Frames));
    }

    [Fact]
    public void AnEmptyEdgeRoundTripsAndPartFloatsAreRefused()
    {
        Assert.Empty(Serializer.Deserialize<EdgeMessage>(Serializer.SerializeToArray(new EdgeMessage(0, 0, [])))!.Frames);
        Assert.Throws<InvalidDataException>(() => FloatBytes.ToFloats(new byte[7]));
    }

    [Fact]
    public void ALengthTheMessageDoesNotHoldIsRefused()
    {
        var bytes = Serializer.SerializeToArray(new EdgeMessage(1, 1, Awkward(1_000)));
        Assert.ThrowsAny<Exception>(() => Serializer.Deserialize<EdgeMessage>(bytes.AsSpan(0, bytes.Length / 2).ToArray()));
    }

    private static int[] Bits(float[] values) => values.Select(BitConverter.SingleToInt32Bits).ToArray();
}
