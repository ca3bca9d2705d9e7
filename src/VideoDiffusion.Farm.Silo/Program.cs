using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using VideoDiffusion.Farm.Abstractions.Hosting;
using VideoDiffusion.Farm.ServiceDefaults;
using VideoDiffusion.Farm.Silo.Hosting;

// The silo host. Everything comes from configuration (appsettings.json, then environment variables such as
// Farm__Clustering=Redis, Farm__RedisConnection=redis:6379, Farm__Artifacts__Kind=AzureBlob); see README "Cluster mode".
var builder = Host.CreateApplicationBuilder(args);
builder.UseOrleans(silo => silo.ConfigureFarmSilo(builder.Configuration));
builder.Services.AddFarmTelemetry(builder.Configuration, "videodiffusion-farm-silo", FarmClusterOptions.From(builder.Configuration).EffectiveSiloName);
builder.Services.AddFarmTelemetryEndpoint().AddHealthChecks().AddCheck<SiloReadinessCheck>("membership").AddCheck<AcceleratorReadinessCheck>("models");
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
await builder.Build().RunAsync();
