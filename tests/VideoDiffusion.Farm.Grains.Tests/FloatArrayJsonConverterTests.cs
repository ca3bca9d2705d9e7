using System.Text.Json;
using VideoDiffusion.Farm.Grains.Storage;

namespace VideoDiffusion.Farm.Grains.Tests;

/// <summary>Float arrays in stored plans: every bit kept, and plans written as number arrays still read.</summary>
public sealed class FloatArrayJsonConverterTests
{
    private static readonly JsonSerializerOptions Options = new() { Converters = { new FloatArrayJsonConverter() } };

    private sealed record Holder(float[] Values, float[]? Missing);

    [Fact]
    public void EveryBitOfEveryFloatSurvives()
    {
        float[] values = [0f, -0f, 1f / 3f, float.Epsilon, -float.MaxValue, float.NaN, float.PositiveInfinity, 1e-42f, 123456.789f];
        var json = JsonSerializer.Serialize(new Holder(values, null), Options);
        Assert.DoesNotContain("[", json);
        var read = JsonSerializer.Deserialize<Holder>(json, Options)!;
        Assert.Equal(values.Select(BitConverter.SingleToInt32Bits), read.Values.Select(BitConverter.SingleToInt32Bits));
        Assert.Null(read.Missing);
    }

    [Fact]
    public void PlansStoredAsNumberArraysStillRead()
    {
        var read = JsonSerializer.Deserialize<Holder>("""{"Values":[0.5,-2,3.25E-05],"Missing":null}""", Options)!;
        Assert.Equal([0.5f, -2f, 3.25e-5f], read.Values);
    }

    [Theory]
    [InlineData("""{"Values":"AAA=","Missing":null}""")] // two bytes: not a whole float
    [InlineData("""{"Values":true,"Missing":null}""")]
    public void AnythingElseIsRejected(string json)
    {
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<Holder>(json, Options));
    }
}
