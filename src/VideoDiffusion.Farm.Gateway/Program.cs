using Orleans.Dashboard;
using Scalar.AspNetCore;
using VideoDiffusion.Farm.Abstractions.Api;
using VideoDiffusion.Farm.Abstractions.Hosting;
using VideoDiffusion.Farm.Gateway.Auth;
using VideoDiffusion.Farm.Gateway.Monitoring;
using VideoDiffusion.Farm.Gateway.Hosting;
using VideoDiffusion.Farm.Gateway.Jobs;
using VideoDiffusion.Farm.Gateway.Problems;
using VideoDiffusion.Farm.Artifacts;
using VideoDiffusion.Farm.ServiceDefaults;

// The gateway: REST API, progress stream, web page and API reference in front of the cluster (an Orleans client).
// Configuration: appsettings.json and environment variables (Farm__Clustering, Farm__Gateway__ApiKeys__0__Sha256, ...).
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = HostArguments.With(args), ContentRootPath = AppContext.BaseDirectory });
builder.Services.Configure<GatewayOptions>(builder.Configuration.GetSection("Farm:Gateway"));
var gateway = builder.Configuration.GetSection("Farm:Gateway").Get<GatewayOptions>() ?? new GatewayOptions();
// the global cap guards every route; submissions apply the configured (smaller) limit themselves
builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = Math.Max(gateway.MaxBodyBytes, 1024 * 1024));
builder.AddFarmClusterClient();
builder.Services.AddSingleton((builder.Configuration.GetSection("Farm:Artifacts").Get<ArtifactStoreOptions>() ?? new ArtifactStoreOptions()).Create());
var telemetry = builder.Services.AddFarmTelemetry(builder.Configuration, "videodiffusion-farm-gateway", webServer: true);
builder.Services.AddSingleton<ApiKeyAuthenticator>();
builder.Services.AddSingleton<SubmissionQuotas>();
builder.Services.AddSingleton<ModelDirectory>();
builder.Services.AddSingleton<JobEventStream>();
builder.Services.AddSingleton<EventStreamLimiter>();
builder.Services.AddProblemDetails();
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.NumberHandling = ApiJson.Options.NumberHandling);
builder.Services.AddOpenApi(OpenApiContract.Configure);

var app = builder.Build();
app.Services.GetRequiredService<ApiKeyAuthenticator>(); // a malformed key entry fails at start, not at the first request
app.UseMiddleware<ProblemMiddleware>();
var dashboard = FarmClusterOptions.From(builder.Configuration).Dashboard;
if (dashboard && OperatorKeyMiddleware.IsConfigured(gateway))
{
    // before anything else answers: the dashboard shows every tenant's grains and the silos' logs
    app.UseWhen(c => c.Request.Path.StartsWithSegments("/dashboard"), b => b.UseMiddleware<OperatorKeyMiddleware>());
}
app.UseMiddleware<ClusterReadinessMiddleware>();
app.UseDefaultFiles();
app.UseStaticFiles();
// ready once the cluster answers; alive while the process serves, so a liveness probe does not restart a gateway waiting for silos
app.MapGet("/healthz", (ClusterConnection cluster) => cluster.IsConnected
    ? Results.Ok(new { status = "ok" })
    : Results.Json(new { status = "connecting", detail = "waiting for the cluster to answer" }, statusCode: StatusCodes.Status503ServiceUnavailable))
    .ExcludeFromDescription();
app.MapGet("/livez", () => Results.Ok(new { status = "ok" })).ExcludeFromDescription();
if (telemetry.Enabled)
{
    app.MapPrometheusScrapingEndpoint("/metrics").ExcludeFromDescription();
}
app.MapOpenApi();
app.MapScalarApiReference("/docs", o => o.WithTitle("VideoDiffusion.Farm API").WithOpenApiRoutePattern("/openapi/{documentName}.json"));
app.MapJobApi();
app.MapFarmApi();
if (dashboard && OperatorKeyMiddleware.IsConfigured(gateway))
{
    app.MapOrleansDashboard("/dashboard").ExcludeFromDescription(); // an operator's page, not part of the API
}
else if (dashboard)
{
    app.Logger.LogWarning("Farm:Dashboard is on but Farm:Gateway:OperatorKeySha256 is not set: /dashboard is not served");
}
app.Run();
