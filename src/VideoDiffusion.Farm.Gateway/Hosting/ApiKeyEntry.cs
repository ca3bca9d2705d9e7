namespace VideoDiffusion.Farm.Gateway.Hosting;

/// <summary>One API key: the hex SHA-256 of the key, its tenant, whether it may only read, and its highest priority.</summary>
public sealed class ApiKeyEntry
{
    public string Tenant { get; set; } = "";

    public string Sha256 { get; set; } = "";

    public bool ReadOnly { get; set; }

    /// <summary>Highest priority this key's submissions run at (higher asks are lowered to it); unset: <see cref="GatewayOptions.MaxPriority"/>.</summary>
    public int? MaxPriority { get; set; }
}
