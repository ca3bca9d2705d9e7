using System.Text.Json.Serialization;
using VideoDiffusion.Farm.Abstractions.Api;

namespace VideoDiffusion.Farm.Abstractions;

/// <summary>How a clip longer than one window is rendered; the names are those of the API and the CLI.</summary>
[JsonConverter(typeof(NamedEnumConverter<JobStrategy>))]
public enum JobStrategy
{
    /// <summary>All windows denoised together, overlaps fused at sync points.</summary>
    [JsonStringEnumMemberName("co-denoise")] CoDenoise,

    /// <summary>A coarse keyframe pass, then windows conditioned on the keyframes.</summary>
    [JsonStringEnumMemberName("keyframes")] Keyframes,

    /// <summary>Each window continues from the previous one's last frames.</summary>
    [JsonStringEnumMemberName("autoregressive")] Autoregressive,
}
