namespace VideoDiffusion.Farm.ServiceDefaults;

/// <summary>Telemetry settings (<c>Farm:Telemetry</c>) of the silo, the gateway and the embedded farm.</summary>
public sealed class TelemetryOptions
{
    public const string Section = "Farm:Telemetry";

    /// <summary>Off: no meter or tracer provider, no exporter; the silo still answers <c>/healthz</c>.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>A silo's port for Prometheus' <c>/metrics</c> and the <c>/healthz</c> probe; 0 = no endpoint.</summary>
    public int MetricsPort { get; set; } = 9464;

    /// <summary>Address the silo's metrics endpoint listens on (<c>*</c> = every interface).</summary>
    public string MetricsHost { get; set; } = "*";

    /// <summary>OTLP collector; when unset the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> applies; neither = no OTLP.</summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary><c>grpc</c> or <c>http/protobuf</c>; when unset the standard <c>OTEL_EXPORTER_OTLP_PROTOCOL</c> or grpc.</summary>
    public string? OtlpProtocol { get; set; }

    /// <summary>How often metrics are pushed over OTLP.</summary>
    public TimeSpan OtlpExportInterval { get; set; } = TimeSpan.FromSeconds(15);
}
