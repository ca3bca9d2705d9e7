namespace VideoDiffusion.Farm.Gateway.Hosting;

/// <summary>Keys, tenancy and quotas of the gateway (configuration section <c>Farm:Gateway</c>).</summary>
public sealed class GatewayOptions
{
    /// <summary>API keys, stored as SHA-256 hashes, each mapped to a tenant.</summary>
    public List<ApiKeyEntry> ApiKeys { get; set; } = [];

    /// <summary>Longest clip a request may ask for.</summary>
    public double MaxSeconds { get; set; } = 600;

    /// <summary>Unfinished jobs one tenant may have; submissions beyond get 429.</summary>
    public int MaxUnfinishedJobsPerTenant { get; set; } = 4;

    /// <summary>Largest request body accepted (413 beyond).</summary>
    public long MaxBodyBytes { get; set; } = 64 * 1024;

    public int MaxPromptLength { get; set; } = 500;

    public int MaxStoryboardSegments { get; set; } = 100;

    /// <summary>How often the event stream looks at a job.</summary>
    public TimeSpan EventPollInterval { get; set; } = TimeSpan.FromMilliseconds(400);
}
