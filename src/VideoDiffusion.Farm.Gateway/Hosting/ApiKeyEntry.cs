namespace VideoDiffusion.Farm.Gateway.Hosting;

/// <summary>One API key: the hex SHA-256 of the key, its tenant, and whether it may only read.</summary>
public sealed class ApiKeyEntry
{
    public string Tenant { get; set; } = "";

    public string Sha256 { get; set; } = "";

    public bool ReadOnly { get; set; }
}
