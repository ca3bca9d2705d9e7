namespace VideoDiffusion.Farm.Artifacts;

/// <summary>Checks artifact keys: relative, slash-separated, no parent references.</summary>
public static class ArtifactKey
{
    /// <summary>Where a job's video lives: derived from the job's id and format only, never read from job state.</summary>
    public static string Video(string jobId, string format) => Validate($"jobs/{jobId}/video.{format}");

    public static string Validate(string key)
    {
        if (string.IsNullOrWhiteSpace(key) || key.StartsWith('/') || key.Contains('\\') ||
            key.Split('/').Any(part => part is "" or "." or ".."))
        {
            throw new ArgumentException($"invalid artifact key '{key}'", nameof(key));
        }
        return key;
    }
}
