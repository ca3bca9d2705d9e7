namespace VideoDiffusion.Farm.Artifacts;

/// <summary>An artifact's content with the version tag a conditional write names (an ETag for blobs).</summary>
public sealed record VersionedArtifact(byte[] Content, string Version);
