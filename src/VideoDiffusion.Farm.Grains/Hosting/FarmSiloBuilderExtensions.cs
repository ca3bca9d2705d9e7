using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.Runtime.MembershipService.SiloMetadata;
using Orleans.Storage;
using VideoDiffusion.Farm.Artifacts;
using VideoDiffusion.Farm.Grains.Execution;
using VideoDiffusion.Farm.Grains.Jobs;
using VideoDiffusion.Farm.Grains.Monitoring;
using VideoDiffusion.Farm.Grains.Placement;
using VideoDiffusion.Farm.Grains.Stitching;
using VideoDiffusion.Farm.Grains.Storage;
using VideoDiffusion.Farm.Grains.Telemetry.Gpu;
using VideoDiffusion.Farm.Grains.Windows;

namespace VideoDiffusion.Farm.Grains.Hosting;

/// <summary>Adds the farm to a silo: executor, model catalog, artifact store, grain storage, accelerator placement and the farm view's reporter.</summary>
public static class FarmSiloBuilderExtensions
{
    /// <summary>
    /// Orleans' distributed grain directory, which a host adds beside <see cref="AddVideoFarm"/> (Orleans' test cluster
    /// adds it on its own). It hands its partitions over when a silo stops, so the windows living on the other silos
    /// keep their activations; with the default directory a stopping silo's partition is lost, the next message to such
    /// a window activates a second copy that resumes from its checkpoint, and its neighbours rewind.
    /// </summary>
    public static ISiloBuilder UseFarmGrainDirectory(this ISiloBuilder silo)
    {
#pragma warning disable ORLEANSEXP003 // evaluated here: the real-process SIGTERM test recomputes no step with it
        return silo.AddDistributedGrainDirectory();
#pragma warning restore ORLEANSEXP003
    }

    /// <param name="artifactGrainStorage">
    /// Keep grain state in the artifact store; false when the host registers another <see cref="FarmStorage.Name"/>
    /// storage (Redis in a cluster).
    /// </param>
    public static ISiloBuilder AddVideoFarm(this ISiloBuilder silo, AcceleratorOptions accelerator, IArtifactStore store, bool artifactGrainStorage = true)
    {
        var models = accelerator.PreloadModels.Where(m => Directory.Exists(Path.Combine(accelerator.ModelsRoot, m)));
        var options = Microsoft.Extensions.Options.Options.Create(accelerator);
        var catalog = new ModelCatalog(options); // hashes the served models once, here; the silo keeps the catalog
        silo.UseSiloMetadata(new Dictionary<string, string>
        {
            [AcceleratorPlacement.SlotsKey] = accelerator.Slots.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [AcceleratorPlacement.ModelsKey] = string.Join(',', models),
            [AcceleratorPlacement.ModelHashesKey] = ModelServers.Encode(catalog.Served()),
        });
        silo.Services.AddSingleton(options);
        silo.Services.AddSingleton(catalog);
        silo.Services.AddSingleton<ModelServers>();
        silo.Services.AddSingleton(sp => new DenoiseExecutor(sp.GetRequiredService<IOptions<AcceleratorOptions>>(), sp.GetRequiredService<ModelCatalog>(),
            sp.GetRequiredService<ILogger<DenoiseExecutor>>(), sp.GetRequiredService<ILocalSiloDetails>().Name));
        silo.Services.AddHostedService<ExecutorStartup>();
        silo.Services.TryAddSingleton(TimeProvider.System);
        silo.Services.AddSingleton<RunningWindows>();
        silo.Services.AddSingleton<FarmLoad>();
        silo.Services.AddSingleton<WindowMoves>();
        silo.Services.AddSingleton<JobProgressReports>();
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<JobProgressReports>());
        silo.Services.AddSingleton<WindowBalancer>();
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<WindowBalancer>());
        if (accelerator.Slots > 0)
        {
            silo.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, GpuTelemetry>());
            // the live farm view: a silo that hosts no windows has nothing to report
            silo.Services.AddSingleton<FarmReporter>();
            silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<FarmReporter>());
        }
        silo.Services.AddSingleton(store);
        silo.Services.AddSingleton<JobArtifacts>();
        silo.Services.AddSingleton<StitchScratchFolder>();
        silo.Services.AddHostedService(sp => sp.GetRequiredService<StitchScratchFolder>()); // cleans up at silo start
        silo.Services.AddSingleton(_ => JobPlans.For(store));
        silo.Services.AddOptions<FarmTimingOptions>().BindConfiguration(FarmTimingOptions.Section);
        silo.Services.AddOptions<DeploymentLoadPublisherOptions>()
            .Configure<IOptions<FarmTimingOptions>>((publisher, timing) => publisher.DeploymentLoadPublisherRefreshTime = timing.Value.LoadPublishPeriod);
        silo.Services.AddOptions<RetentionOptions>().BindConfiguration(RetentionOptions.Section);
        silo.Services.AddPlacementDirector<AcceleratorPlacement, AcceleratorPlacementDirector>();
        if (artifactGrainStorage)
        {
            silo.Services.AddKeyedSingleton<IGrainStorage>(FarmStorage.Name, (sp, _) => new FarmStorage(store, sp.GetRequiredService<IGrainStorageSerializer>()));
        }
        return silo;
    }
}
