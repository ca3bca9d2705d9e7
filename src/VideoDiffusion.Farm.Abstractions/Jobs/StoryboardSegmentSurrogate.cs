using VideoDiffusion.Farm.Requests;

namespace VideoDiffusion.Farm.Abstractions;

/// <summary>How Orleans carries a <see cref="StoryboardSegment"/>, a type of the dependency-free request vocabulary.</summary>
[GenerateSerializer, Immutable]
public readonly record struct StoryboardSegmentSurrogate([property: Id(0)] string Prompt, [property: Id(1)] double From, [property: Id(2)] double To);
