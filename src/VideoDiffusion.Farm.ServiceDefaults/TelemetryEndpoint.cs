using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;

namespace VideoDiffusion.Farm.ServiceDefaults;

/// <summary>
/// A small HTTP server beside a host that has no web pipeline of its own (a silo): <c>/metrics</c> for Prometheus from
/// the host's meter provider, and <c>/healthz</c> from the host's health checks (200 when healthy, 503 with the reason
/// otherwise), on <see cref="TelemetryOptions.MetricsPort"/>.
/// </summary>
public sealed class TelemetryEndpoint(IServiceProvider host, TelemetryOptions options, ILogger<TelemetryEndpoint> logger) : IHostedService, IAsyncDisposable
{
    private WebApplication? _server;

    /// <summary>The port it listens on (the configured one, or the one the system chose for port 0 in tests).</summary>
    public int Port { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.MetricsPort <= 0)
        {
            return;
        }
        var builder = WebApplication.CreateSlimBuilder(HostArguments.With());
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://{options.MetricsHost}:{options.MetricsPort}");
        builder.Services.Configure<KestrelServerOptions>(k => k.AddServerHeader = false);
        var app = builder.Build();
        var meters = options.Enabled ? host.GetService<MeterProvider>() : null;
        if (meters is not null)
        {
            app.UseOpenTelemetryPrometheusScrapingEndpoint(meters, context => context.Request.Path == "/metrics", null, null, null);
        }
        app.MapGet("/healthz", (Delegate)HealthAsync);
        await app.StartAsync(cancellationToken);
        _server = app;
        Port = options.MetricsPort;
        logger.LogInformation("telemetry endpoint on port {Port}: /healthz{Metrics}", Port, meters is null ? "" : ", /metrics");
    }

    private async Task<IResult> HealthAsync(CancellationToken cancellation)
    {
        var checks = host.GetService<HealthCheckService>();
        if (checks is null)
        {
            return Results.Text("ok\n");
        }
        var report = await checks.CheckHealthAsync(cancellation);
        var lines = string.Join("\n", report.Entries.Select(e => $"{e.Key}: {e.Value.Status}{(e.Value.Description is { } d ? " — " + d : "")}"));
        return report.Status == HealthStatus.Healthy
            ? Results.Text($"ok\n{lines}\n")
            : Results.Text($"not ready\n{lines}\n", statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is not null)
        {
            await _server.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
            _server = null;
        }
    }
}
