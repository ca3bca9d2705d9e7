namespace VideoDiffusion.Farm.Abstractions.Protocol;

/// <summary>Overlap frames one window sends its neighbour: its own values before fusion, at one step.</summary>
[GenerateSerializer, Immutable]
public sealed record EdgeMessage([property: Id(0)] int Step, [property: Id(1)] int FromWindow, [property: Id(2)] float[] Frames);
