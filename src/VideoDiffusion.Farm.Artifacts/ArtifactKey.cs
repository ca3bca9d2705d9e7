namespace VideoDiffusion.Farm.Artifacts;

/// <summary>Checks artifact keys: relative, slash-separated, no parent references.</summary>
public static class ArtifactKey
{
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
