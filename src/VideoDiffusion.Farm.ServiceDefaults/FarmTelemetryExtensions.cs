using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using VideoDiffusion.Farm.Abstractions.Telemetry;

namespace VideoDiffusion.Farm.ServiceDefaults;

/// <summary>
/// The one telemetry setup of every farm process: the farm's and Orleans' meters, runtime and process instruments,
/// the farm's and Orleans' spans, a Prometheus exporter (scraped at <c>/metrics</c>) and OTLP when an endpoint is set.
/// </summary>
public static class FarmTelemetryExtensions
{
    /// <summary>
    /// Instruments exported under a longer name, so Prometheus shows what they count: a gauge of unit 1 becomes
    /// <c>*_ratio</c> (as the OpenTelemetry-to-Prometheus rules ask; this exporter does not add it), and the queue gauge
    /// says it counts window-steps (a UCUM annotation such as <c>{window_step}</c> is dropped from Prometheus names).
    /// </summary>
    private static readonly (string Instrument, string Exported)[] ExportedNames =
    [
        ("farm.accelerator.utilization", "farm.accelerator.utilization_ratio"),
        ("farm.job.progress", "farm.job.progress_ratio"),
        ("farm.executor.queued", "farm.executor.queued_window_steps"),
        ("hw.gpu.utilization", "hw.gpu.utilization_ratio"),
    ];

    /// <param name="serviceName">OpenTelemetry <c>service.name</c> (silo, gateway, cli).</param>
    /// <param name="instance">OpenTelemetry <c>service.instance.id</c>, e.g. the silo name.</param>
    /// <param name="webServer">Add ASP.NET Core's request instruments and spans (the gateway).</param>
    public static TelemetryOptions AddFarmTelemetry(this IServiceCollection services, IConfiguration configuration, string serviceName,
        string? instance = null, bool webServer = false)
    {
        var options = configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new TelemetryOptions();
        services.AddSingleton(options);
        if (!options.Enabled)
        {
            return options;
        }
        var otlpEndpoint = options.OtlpEndpoint ?? configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
        var otlpProtocol = options.OtlpProtocol ?? configuration["OTEL_EXPORTER_OTLP_PROTOCOL"] ?? "grpc";
        services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(serviceName, serviceInstanceId: instance ?? Environment.MachineName))
            .WithMetrics(metrics =>
            {
                foreach (var (instrument, exported) in ExportedNames)
                {
                    metrics.AddView(instrument, new MetricStreamConfiguration { Name = exported });
                }
                metrics.AddMeter(FarmTelemetryNames.Meter, FarmTelemetryNames.OrleansMeter)
                    .AddRuntimeInstrumentation()
                    .AddProcessInstrumentation()
                    .AddPrometheusExporter();
                if (webServer)
                {
                    metrics.AddAspNetCoreInstrumentation();
                }
                if (!string.IsNullOrWhiteSpace(otlpEndpoint))
                {
                    metrics.AddOtlpExporter((exporter, reader) =>
                    {
                        Configure(exporter, otlpEndpoint, otlpProtocol, "v1/metrics");
                        reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)options.OtlpExportInterval.TotalMilliseconds;
                    });
                }
            })
            .WithTracing(tracing =>
            {
                tracing.AddSource(FarmTelemetryNames.ActivitySource).AddSource(FarmTelemetryNames.OrleansActivitySources);
                if (webServer)
                {
                    tracing.AddAspNetCoreInstrumentation(o => o.Filter = context => context.Request.Path != "/metrics");
                }
                if (!string.IsNullOrWhiteSpace(otlpEndpoint))
                {
                    tracing.AddOtlpExporter(exporter => Configure(exporter, otlpEndpoint, otlpProtocol, "v1/traces"));
                }
            });
        return options;
    }

    /// <summary>Serves <c>/metrics</c> and <c>/healthz</c> on the metrics port (see <see cref="TelemetryEndpoint"/>).</summary>
    public static IServiceCollection AddFarmTelemetryEndpoint(this IServiceCollection services)
    {
        services.AddSingleton<TelemetryEndpoint>();
        services.AddHostedService(sp => sp.GetRequiredService<TelemetryEndpoint>());
        return services;
    }

    /// <summary>
    /// OTLP over gRPC takes the endpoint as it is; over HTTP an endpoint set in code is used as the full URL, so the
    /// signal's path is appended to a base address the way the standard environment variable would be.
    /// </summary>
    private static void Configure(OtlpExporterOptions exporter, string endpoint, string protocol, string signalPath)
    {
        if (protocol.Equals("http/protobuf", StringComparison.OrdinalIgnoreCase))
        {
            exporter.Protocol = OtlpExportProtocol.HttpProtobuf;
            var uri = new Uri(endpoint);
            exporter.Endpoint = uri.AbsolutePath.TrimEnd('/').EndsWith(signalPath, StringComparison.Ordinal)
                ? uri
                : new Uri(uri, uri.AbsolutePath.TrimEnd('/') + "/" + signalPath);
        }
        else if (protocol.Equals("grpc", StringComparison.OrdinalIgnoreCase))
        {
            exporter.Protocol = OtlpExportProtocol.Grpc;
            exporter.Endpoint = new Uri(endpoint);
        }
        else
        {
            throw new InvalidOperationException($"{TelemetryOptions.Section}:OtlpProtocol must be 'grpc' or 'http/protobuf' (got '{protocol}')");
        }
    }
}
