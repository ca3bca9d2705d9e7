using System.Text.Json.Serialization;
using VideoDiffusion.Farm.Abstractions.Api;

namespace VideoDiffusion.Farm.Abstractions;

/// <summary>Whether a coarse keyframe pass anchors the windows of a job.</summary>
[JsonConverter(typeof(NamedEnumConverter<KeyframeAnchoring>))]
public enum KeyframeAnchoring
{
    /// <summary>When the clip spans more than one window and the model takes context latents.</summary>
    [JsonStringEnumMemberName("auto")] Auto,
    [JsonStringEnumMemberName("keyframes")] Keyframes,
    [JsonStringEnumMemberName("none")] None,
}
