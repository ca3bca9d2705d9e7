using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.TestingHost;
using VideoDiffusion.Farm.Abstractions;
using VideoDiffusion.Farm.Diffusion.Models;
using VideoDiffusion.Farm.Diffusion.Rendering;
using VideoDiffusion.Farm.Grains.Execution;
using VideoDiffusion.Farm.Grains.Hosting;
using VideoDiffusion.Farm.Grains.Jobs;
using VideoDiffusion.Farm.Artifacts;
using VideoDiffusion.Farm.Artifacts.FileSystem;
using VideoDiffusion.Farm.Media.Encoding;
using VideoDiffusion.Farm.Media.Frames;

namespace VideoDiffusion.Farm.Grains.Tests;

/// <summary>
/// An Orleans test cluster of four silos sharing one artifact folder: three with an accelerator slot each and one
/// gateway-like silo with none. Each slot gets one inference thread.
/// </summary>
public sealed class FarmClusterFixture : IAsyncLifetime
{
    public const string NoSlotSiloName = "Silo_3";

    public static string ModelsRoot => RepositoryPaths.ModelsRoot;

    public string ArtifactsRoot { get; } = Directory.CreateTempSubdirectory("farm-cluster-").FullName;

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IArtifactStore Store => new FileSystemArtifactStore(ArtifactsRoot);

    /// <summary>
    /// Fault injection: when set, a grain call between silos for which it returns true fails as if its target silo had
    /// become unavailable (the silos run in this process, so one delegate serves them all).
    /// </summary>
    public Func<IOutgoingGrainCallContext, bool>? FailCall { get; set; }

    public async Task InitializeAsync()
    {
        RenderJobGrain.WatchdogPeriod = TimeSpan.FromSeconds(1);
        var store = new FileSystemArtifactStore(ArtifactsRoot);
        var builder = new InProcessTestClusterBuilder(4);
        if (Environment.GetEnvironmentVariable("FARM_TEST_LOGS") is "1")
        {
            builder.ConfigureSiloHost((_, host) => host.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Information).AddFilter("Orleans", LogLevel.Warning));
        }
        builder.ConfigureSilo((options, silo) =>
        {
            silo.UseInMemoryReminderService();
            silo.AddActivityPropagation();
            silo.AddOutgoingGrainCallFilter(call => FailCall?.Invoke(call) is true
                ? throw new SiloUnavailableException($"injected failure of {call.InterfaceMethod?.Name}")
                : call.Invoke());
            silo.AddVideoFarm(new AcceleratorOptions
            {
                Slots = options.SiloName == NoSlotSiloName ? 0 : 1,
                ThreadsPerSlot = 1,
                MaxBatch = 4,
                ModelsRoot = ModelsRoot,
                CheckpointEvery = 2,
            }, store);
        });
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        Directory.Delete(ArtifactsRoot, recursive: true);
    }

    public IEnumerable<(string Name, ExecutorStatistics Statistics)> ExecutorStatistics() =>
        Cluster.Silos.Where(s => s.IsActive).Select(s => (s.Name, s.ServiceProvider.GetRequiredService<DenoiseExecutor>().Statistics()));

    /// <summary>Polls the job's status every 100 ms until <paramref name="until"/> (default: finished); <paramref name="polled"/> counts the polls, which are calls into the job grain too.</summary>
    public async Task<JobStatus> WaitAsync(string jobId, TimeSpan timeout, Func<JobStatus, bool>? until = null, Action? polled = null)
    {
        var job = Cluster.Client.GetGrain<IRenderJobGrain>(jobId);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var status = await job.GetStatus();
            polled?.Invoke();
            if ((until ?? (s => s.IsFinished))(status))
            {
                return status;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"job {jobId} still {status.State} ({status.WindowsDone}/{status.WindowsTotal} windows, progress {string.Join(",", status.WindowProgress)}) after {timeout}");
            }
            await Task.Delay(100);
        }
    }

    public async Task<byte[]> ReadArtifactAsync(string key)
    {
        await using var stream = await Store.OpenAsync(key) ?? throw new FileNotFoundException(key);
        using var memory = new MemoryStream();
        await stream.CopyToAsync(memory);
        return memory.ToArray();
    }

    /// <summary>The single-process reference render of the same request, as .y4m bytes.</summary>
    public static async Task<byte[]> ReferenceY4mAsync(RenderJobRequest request)
    {
        using var model = DiffusionModel.Load(Path.Combine(ModelsRoot, request.Model), new Diffusion.Onnx.OnnxRuntimeSettings { IntraOpThreads = 1 });
        var spec = RenderJobSpec.Resolve(JobRequestMapper.ToRenderRequest(request), model.Manifest);
        var (latents, _) = new ReferenceRenderer(model).Render(spec);
        var video = LatentFrameDecoder.Decode(model.Decoder, latents, spec.PixelFrames, model.Manifest.Video.Width, model.Manifest.Video.Height);
        var path = Path.Combine(Path.GetTempPath(), $"reference-{Guid.NewGuid():N}.y4m");
        try
        {
            await VideoEncoder.EncodeAsync(video, spec.Fps, path, request.Scale);
            return await File.ReadAllBytesAsync(path);
        }
        finally
        {
            File.Delete(path);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class FarmClusterCollection : ICollectionFixture<FarmClusterFixture>
{
    public const string Name = "farm cluster";
}
