using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using VideoDiffusion.Farm.Abstractions.Hosting;
using VideoDiffusion.Farm.ServiceDefaults;
using VideoDiffusion.Farm.Hosting.Readiness;
using VideoDiffusion.Farm.Silo.Hosting;
using VideoDiffusion.Farm.Silo.Kubernetes;

// The silo host. Everything comes from configuration (appsettings.json, then environment variables such as
// Farm__Clustering=Redis, Farm__RedisConnection=redis:6379, Farm__Artifacts__Kind=AzureBlob); see README "Cluster mode".
var builder = Host.CreateApplicationBuilder(HostArguments.With(args));
var cluster = FarmClusterOptions.From(builder.Configuration);
KubernetesPodEnvironment? pod = null;
if (cluster.Kubernetes && (pod = KubernetesPodEnvironment.Detect(out var notInPod)) is null)
{
    Console.Error.WriteLine($"error: Farm:Kubernetes=true, but this process is not in a Kubernetes pod: {notInPod}");
    return 1;
}
builder.UseOrleans(silo =>
{
    silo.ConfigureFarmSilo(builder.Configuration);
    if (pod is not null)
    {
        silo.UseKubernetesHosting(); // pod identity, and deletion of pods whose silos the cluster declared dead
    }
});
if (pod is not null)
{
    builder.Services.AddSingleton(pod).AddHostedService<PodDeletionCostUpdater>();
}
builder.Services.AddFarmTelemetry(builder.Configuration, "videodiffusion-farm-silo", cluster.EffectiveSiloName);
builder.Services.AddFarmTelemetryEndpoint().AddHealthChecks().AddCheck<SiloReadinessCheck>("membership").AddCheck<AcceleratorReadinessCheck>("models");
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = cluster.ShutdownTimeout);
await builder.Build().RunAsync();
return 0;
