using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using VideoDiffusion.Farm.Grains.Execution;
using VideoDiffusion.Farm.Grains.Hosting;
using VideoDiffusion.Farm.Media.Artifacts;

// The silo host. Localhost clustering and file-system artifacts for now; Redis clustering, Redis persistence and Azure
// Blob artifacts arrive with cluster mode. Settings: Farm:Accelerator (slots, threads, models root), Farm:ArtifactsPath.
var builder = Host.CreateApplicationBuilder(args);
var accelerator = builder.Configuration.GetSection("Farm:Accelerator").Get<AcceleratorOptions>() ?? new AcceleratorOptions();
var artifacts = builder.Configuration["Farm:ArtifactsPath"] ?? Path.Combine(Path.GetTempPath(), "videodiffusion-farm");
builder.UseOrleans(silo =>
{
    silo.UseLocalhostClustering();
    silo.AddVideoFarm(accelerator, new FileSystemArtifactStore(artifacts));
});
await builder.Build().RunAsync();
