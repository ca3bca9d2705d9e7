namespace VideoDiffusion.Farm.Artifacts;

/// <summary>A conditional write found another version stored than the one it was based on (someone else wrote first).</summary>
public sealed class ArtifactVersionConflictException(string key, string? expected)
    : Exception($"artifact '{key}' changed since version {expected ?? "(none)"} was read")
{
    public string Key { get; } = key;

    /// <summary>The version the write expected; null: it expected nothing stored.</summary>
    public string? Expected { get; } = expected;
}
