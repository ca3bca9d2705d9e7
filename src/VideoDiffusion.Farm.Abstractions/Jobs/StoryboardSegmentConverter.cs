using VideoDiffusion.Farm.Requests;

namespace VideoDiffusion.Farm.Abstractions;

/// <summary>Converts storyboard segments to and from their Orleans surrogate.</summary>
[RegisterConverter]
public sealed class StoryboardSegmentConverter : IConverter<StoryboardSegment, StoryboardSegmentSurrogate>
{
    public StoryboardSegment ConvertFromSurrogate(in StoryboardSegmentSurrogate surrogate) => new(surrogate.Prompt, surrogate.From, surrogate.To);

    public StoryboardSegmentSurrogate ConvertToSurrogate(in StoryboardSegment value) => new(value.Prompt, value.From, value.To);
}
