namespace VideoDiffusion.Farm.Abstractions.Protocol;

/// <summary>Overlap frames one window sends its neighbour: its own values before fusion, at one step.</summary>
[Immutable]
public sealed record EdgeMessage(int Step, int FromWindow, float[] Frames);

/// <summary>How an <see cref="EdgeMessage"/> travels: its frames as one block of bytes (<see cref="FloatBytes"/>).</summary>
[GenerateSerializer, Immutable]
public readonly record struct EdgeMessageSurrogate([property: Id(0)] int Step, [property: Id(1)] int FromWindow, [property: Id(2)] byte[] Frames);

/// <summary>Converts an <see cref="EdgeMessage"/> to and from the form it travels in.</summary>
[RegisterConverter]
public sealed class EdgeMessageConverter : IConverter<EdgeMessage, EdgeMessageSurrogate>
{
    public EdgeMessage ConvertFromSurrogate(in EdgeMessageSurrogate surrogate) =>
        new(surrogate.Step, surrogate.FromWindow, FloatBytes.ToFloats(surrogate.Frames));

    public EdgeMessageSurrogate ConvertToSurrogate(in EdgeMessage value) =>
        new(value.Step, value.FromWindow, FloatBytes.From(value.Frames));
}
