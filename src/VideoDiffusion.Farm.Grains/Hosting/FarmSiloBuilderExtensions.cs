using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime.MembershipService.SiloMetadata;
using Orleans.Storage;
using VideoDiffusion.Farm.Grains.Execution;
using VideoDiffusion.Farm.Grains.Placement;
using VideoDiffusion.Farm.Grains.Storage;
using VideoDiffusion.Farm.Media.Artifacts;

namespace VideoDiffusion.Farm.Grains.Hosting;

/// <summary>Adds the farm to a silo: executor, model catalog, artifact store, grain storage and accelerator placement.</summary>
public static class FarmSiloBuilderExtensions
{
    /// <param name="artifactGrainStorage">
    /// Keep grain state in the artifact store; false when the host registers another <see cref="FarmStorage.Name"/>
    /// storage (Redis in a cluster).
    /// </param>
    public static ISiloBuilder AddVideoFarm(this ISiloBuilder silo, AcceleratorOptions accelerator, IArtifactStore store, bool artifactGrainStorage = true)
    {
        var models = accelerator.PreloadModels.Where(m => Directory.Exists(Path.Combine(accelerator.ModelsRoot, m)));
        silo.UseSiloMetadata(new Dictionary<string, string>
        {
            [AcceleratorPlacement.SlotsKey] = accelerator.Slots.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [AcceleratorPlacement.ModelsKey] = string.Join(',', models),
        });
        silo.Services.AddSingleton(Microsoft.Extensions.Options.Options.Create(accelerator));
        silo.Services.AddSingleton<ModelCatalog>();
        silo.Services.AddSingleton<DenoiseExecutor>();
        silo.Services.AddHostedService<ExecutorStartup>();
        silo.Services.AddSingleton(store);
        silo.Services.AddSingleton<JobArtifacts>();
        silo.Services.AddPlacementDirector<AcceleratorPlacement, AcceleratorPlacementDirector>();
        if (artifactGrainStorage)
        {
            silo.Services.AddKeyedSingleton<IGrainStorage>(FarmStorage.Name, (sp, _) => new FarmStorage(store, sp.GetRequiredService<IGrainStorageSerializer>()));
        }
        return silo;
    }
}
