using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using VideoDiffusion.Farm.Abstractions;
using VideoDiffusion.Farm.Artifacts;
using VideoDiffusion.Farm.Artifacts.FileSystem;
using VideoDiffusion.Farm.Grains.Execution;
using VideoDiffusion.Farm.Grains.Hosting;
using VideoDiffusion.Farm.Grains.Storage;
using VideoDiffusion.Farm.Hosting.Readiness;
using VideoDiffusion.Farm.ServiceDefaults;

namespace VideoDiffusion.Farm.Hosting.Embedded;

/// <summary>
/// The farm inside one process: N silos on localhost clustering, grain state and artifacts in a folder. What
/// <c>farm render</c> uses by default, and what exercises placement and peer-to-peer exchange on one machine.
/// </summary>
public sealed class EmbeddedFarm : IAsyncDisposable
{
    private readonly List<IHost> _silos;
    private readonly ProcessScratchFolder _artifactsFolder;
    private readonly EmbeddedFarmOptions _options;
    private readonly string _clusterId = "embedded-" + Guid.NewGuid().ToString("N")[..8];
    private IPEndPoint? _primary;
    private int _siloCount;

    private EmbeddedFarm(List<IHost> silos, ProcessScratchFolder artifactsFolder, EmbeddedFarmOptions options)
    {
        _silos = silos;
        Store = new FileSystemArtifactStore(artifactsFolder.Path);
        _artifactsFolder = artifactsFolder;
        _options = options;
    }

    public IArtifactStore Store { get; }

    /// <summary>In-process defaults below the environment's settings: no metrics port unless one is asked for.</summary>
    private static readonly Dictionary<string, string?> EmbeddedDefaults = new()
    {
        [$"{TelemetryOptions.Section}:MetricsPort"] = "0",
        [$"{TelemetryOptions.Section}:MetricsHost"] = "127.0.0.1",
    };

    /// <summary>The port of the metrics endpoint, when one was asked for.</summary>
    public int? MetricsPort => _silos[0].Services.GetRequiredService<TelemetryEndpoint>() is { Port: > 0 } endpoint ? endpoint.Port : null;

    public IClusterClient Client => _silos[0].Services.GetRequiredService<IClusterClient>();

    public IReadOnlyList<IServiceProvider> SiloServices
    {
        get
        {
            lock (_silos)
            {
                return _silos.Select(s => s.Services).ToList();
            }
        }
    }

    public static async Task<EmbeddedFarm> StartAsync(EmbeddedFarmOptions options, CancellationToken cancellation = default)
    {
        if (options.Silos < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "at least one silo");
        }
        // grain state, checkpoints and videos live in a folder of the farm's own, deleted when the farm is disposed
        // (or, when the process was killed first, by the next embedded farm the same user starts on the machine)
        var folder = new ProcessScratchFolder(Path.Combine(Path.GetTempPath(), $"farm-embedded-{ProcessScratchFolder.SafeName(Environment.UserName)}"), "farm", NullLogger.Instance);
        var farm = new EmbeddedFarm([], folder, options);
        try
        {
            // the first silo is the cluster's primary; the others join it together
            await farm.AddSilosAsync(1, cancellation);
            if (options.Silos > 1)
            {
                await farm.AddSilosAsync(options.Silos - 1, cancellation);
            }
        }
        catch
        {
            await farm.DisposeAsync();
            throw;
        }
        return farm;
    }

    /// <summary>
    /// Starts <paramref name="count"/> more silos, together, and returns once each is ready: joined the cluster and its
    /// slots loaded their models (a model that does not load fails the start with the load error, rather than the first job).
    /// </summary>
    public async Task AddSilosAsync(int count, CancellationToken cancellation = default)
    {
        var started = await Task.WhenAll(Enumerable.Range(0, count).Select(_ => StartSiloAsync(cancellation)));
        foreach (var host in started)
        {
            await host.Services.GetRequiredService<DenoiseExecutor>().ModelsLoaded.WaitAsync(cancellation);
        }
    }

    private async Task<IHost> StartSiloAsync(CancellationToken cancellation)
    {
        int index;
        lock (_silos)
        {
            index = _siloCount++;
        }
        var builder = Host.CreateApplicationBuilder(HostArguments.With());
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = EmbeddedDefaults });
        builder.Configuration.AddInMemoryCollection(_options.Settings);
        // the farm's owner stops its silos and handles Ctrl+C and SIGTERM (OwnerControlledLifetime)
        builder.Services.AddSingleton<IHostLifetime, OwnerControlledLifetime>();
        builder.Logging.ClearProviders();
        // the command reports what fails (a job's error, a model that does not load) in one line of its own; the
        // runtime's retries and the noise of stopping a silo that failed to start stay out of the terminal
        builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning).AddFilter("Orleans", LogLevel.Critical)
            .AddFilter("Polly", LogLevel.Critical).AddFilter(typeof(DenoiseExecutor).FullName, LogLevel.Critical)
            .AddFilter("VideoDiffusion.Farm.Grains.Windows", LogLevel.Error);
        var siloPort = FreeLoopbackPort();
        var gatewayPort = FreeLoopbackPort();
        _primary ??= new IPEndPoint(IPAddress.Loopback, siloPort);
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(siloPort, gatewayPort, _primary, serviceId: "videodiffusion-farm", clusterId: _clusterId);
            silo.Configure<Orleans.Configuration.SiloOptions>(o => o.SiloName = $"embedded-{index}");
            // silos in one process fail together and leave only when their owner stops them: a probe that missed its
            // deadline on a loaded machine (64 silos starting on 2 cores) must not declare one of them dead, which
            // would end the whole process
            silo.Configure<Orleans.Configuration.ClusterMembershipOptions>(o => o.LivenessEnabled = false);
            // each silo's grain locations are cached in dictionaries allocated at full size up front (two of about
            // 9 MB at Orleans' default of a million entries): 1.2 GB for 64 silos in one process, which holds a few
            // thousand grains at most
            silo.Configure<Orleans.Configuration.GrainDirectoryOptions>(o => o.CacheSize = 10_000);
            silo.UseInMemoryReminderService();
            silo.AddActivityPropagation();
            silo.UseFarmGrainDirectory().AddVideoFarm(new AcceleratorOptions
            {
                Slots = _options.SlotsPerSilo,
                ThreadsPerSlot = _options.ThreadsPerSlot,
                MaxBatch = _options.MaxBatch,
                ModelsRoot = _options.ModelsRoot,
                CheckpointEvery = _options.CheckpointEvery,
                // its silos share this process: none fails without the others
                KeepSentEdgesUntilCheckpoint = false,
                ExecutionProvider = _options.ExecutionProvider,
                SimulatedTimeScale = _options.SimulatedTimeScale,
                PreloadModels = _options.PreloadModels?.ToList() ?? new AcceleratorOptions().PreloadModels,
            }, Store);
        });
        if (index == 0)
        {
            // one telemetry pipeline for the process: the instruments of every in-process silo carry its name
            builder.Services.AddFarmTelemetry(builder.Configuration, "videodiffusion-farm-embedded", "embedded");
            builder.Services.AddFarmTelemetryEndpoint().AddHealthChecks().AddCheck<SiloReadinessCheck>("membership").AddCheck<AcceleratorReadinessCheck>("models");
        }
        var host = builder.Build();
        // the executor's slots load their models while the silo starts (they would otherwise start with the hosted services, after Orleans' own)
        host.Services.GetRequiredService<DenoiseExecutor>();
        lock (_silos)
        {
            _silos.Add(host);
        }
        await host.StartAsync(cancellation);
        return host;
    }

    /// <summary>Submits a job and polls it to the end, reporting each status; returns the final status.</summary>
    public async Task<JobStatus> RunJobAsync(string jobId, RenderJobRequest request, Action<JobStatus>? onStatus, CancellationToken cancellation)
    {
        var job = Client.GetGrain<IRenderJobGrain>(jobId);
        // the job pushes its end to an observer, so the caller sees it at once; polling stays the fallback
        var finished = new FinishObserver();
        var observer = Client.CreateObjectReference<IJobObserver>(finished);
        try
        {
            var status = await job.Submit(request);
            await job.Subscribe(observer);
            using var cancelRegistration = cancellation.Register(() => _ = job.Cancel());
            while (!status.IsFinished)
            {
                onStatus?.Invoke(status);
                await Task.WhenAny(Task.Delay(200, CancellationToken.None), finished.Finished);
                status = await job.GetStatus();
            }
            onStatus?.Invoke(status);
            await job.Unsubscribe(observer);
            return status;
        }
        finally
        {
            Client.DeleteObjectReference<IJobObserver>(observer);
        }
    }

    private sealed class FinishObserver : IJobObserver
    {
        private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Finished => _finished.Task;

        public Task OnStatus(JobStatus status)
        {
            if (status.IsFinished)
            {
                _finished.TrySetResult();
            }
            return Task.CompletedTask;
        }
    }

    public async ValueTask DisposeAsync()
    {
        // the primary last: the others leave a cluster that still answers
        for (var i = _silos.Count - 1; i >= 0; i--)
        {
            try
            {
                await _silos[i].StopAsync(TimeSpan.FromSeconds(10));
            }
            catch (Exception)
            {
                // a silo that fails to stop cleanly (or never started) must not keep the others running
            }
            finally
            {
                _silos[i].Dispose();
            }
        }
        _artifactsFolder.Dispose();
    }

    /// <summary>A TCP port free on loopback at the time of asking.</summary>
    public static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
