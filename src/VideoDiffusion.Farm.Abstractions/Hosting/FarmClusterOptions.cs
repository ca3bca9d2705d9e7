namespace VideoDiffusion.Farm.Abstractions.Hosting;

/// <summary>
/// How a silo or the gateway joins the cluster (configuration section <c>Farm</c>; environment variables
/// <c>Farm__Clustering</c>, <c>Farm__Redis</c>, ...). Kubernetes' downward API gives <c>POD_NAME</c> and <c>POD_IP</c>.
/// </summary>
public sealed class FarmClusterOptions
{
    public const string Localhost = "Localhost";
    public const string Redis = "Redis";

    /// <summary><c>Localhost</c> (one machine, development) or <c>Redis</c>.</summary>
    public string Clustering { get; set; } = Localhost;

    /// <summary>StackExchange.Redis connection string for clustering, grain state and reminders.</summary>
    public string RedisConnection { get; set; } = "127.0.0.1:6379";

    /// <summary>Redis password (AUTH), kept apart from the connection string so it can come from a secret; wins over one in the string.</summary>
    public string? RedisPassword { get; set; }

    /// <summary>TLS between silos and from the gateway; off unless a certificate is configured.</summary>
    public FarmTlsOptions Tls { get; set; } = new();

    public string ClusterId { get; set; } = "videodiffusion";

    public string ServiceId { get; set; } = "videodiffusion-farm";

    /// <summary>Where grain state lives: <c>Redis</c> (default when clustering on Redis) or <c>Artifacts</c>.</summary>
    public string? Persistence { get; set; }

    public int SiloPort { get; set; } = 11111;

    public int GatewayPort { get; set; } = 30000;

    /// <summary>The address other silos reach this one at (Kubernetes: <c>POD_IP</c>; <c>auto</c>: the host's IPv4); loopback when unset.</summary>
    public string? AdvertisedIp { get; set; }

    /// <summary>The silo's name (Kubernetes: <c>POD_NAME</c>).</summary>
    public string? SiloName { get; set; }

    /// <summary>How long a stopping silo may take to deactivate its grains and leave the cluster before the host gives up.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Runs as a Kubernetes pod: Orleans' Kubernetes hosting and the pod-deletion-cost annotation; refused outside a cluster.</summary>
    public bool Kubernetes { get; set; }

    /// <summary>Adds the Orleans dashboard's services (the gateway serves its pages at <c>/dashboard</c>).</summary>
    public bool Dashboard { get; set; }

    /// <summary>The configured name, or one made of the host and the silo port.</summary>
    public string EffectiveSiloName => SiloName ?? $"silo-{Environment.MachineName}-{SiloPort}";

    public bool UsesRedis => Clustering.Equals(Redis, StringComparison.OrdinalIgnoreCase);

    public string EffectivePersistence => Persistence ?? (UsesRedis ? Redis : "Artifacts");

    /// <summary>Reads the section and the Kubernetes environment; refuses unknown clustering kinds.</summary>
    public static FarmClusterOptions From(Microsoft.Extensions.Configuration.IConfiguration configuration)
    {
        var options = new FarmClusterOptions();
        Microsoft.Extensions.Configuration.ConfigurationBinder.Bind(configuration.GetSection("Farm"), options);
        options.AdvertisedIp ??= configuration["POD_IP"];
        options.SiloName ??= configuration["POD_NAME"];
        if (!options.UsesRedis && !options.Clustering.Equals(Localhost, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"Farm:Clustering must be {Localhost} or {Redis} (got '{options.Clustering}')");
        }
        if (options.EffectivePersistence is not ("Redis" or "Artifacts"))
        {
            throw new InvalidOperationException($"Farm:Persistence must be Redis or Artifacts (got '{options.Persistence}')");
        }
        return options;
    }
}
