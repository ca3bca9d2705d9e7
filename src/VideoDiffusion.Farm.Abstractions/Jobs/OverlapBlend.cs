using System.Text.Json.Serialization;
using VideoDiffusion.Farm.Abstractions.Api;

namespace VideoDiffusion.Farm.Abstractions;

/// <summary>The weights with which neighbouring windows' overlap frames are fused.</summary>
[JsonConverter(typeof(NamedEnumConverter<OverlapBlend>))]
public enum OverlapBlend
{
    [JsonStringEnumMemberName("flat")] Flat,
    [JsonStringEnumMemberName("linear")] Linear,
    [JsonStringEnumMemberName("cosine")] Cosine,
}
