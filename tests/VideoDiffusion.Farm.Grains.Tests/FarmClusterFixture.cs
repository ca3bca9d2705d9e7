using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.TestingHost;
using VideoDiffusion.Farm.Abstractions;
using VideoDiffusion.Farm.Abstractions.Api;
using VideoDiffusion.Farm.Grains.Execution;
using VideoDiffusion.Farm.Grains.Hosting;
using VideoDiffusion.Farm.Grains.Jobs;
using VideoDiffusion.Farm.Artifacts;
using VideoDiffusion.Farm.Artifacts.FileSystem;

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

    /// <summary>Fault injection: a grain call between silos waits for the task this returns (a silo that does not answer).</summary>
    public Func<IOutgoingGrainCallContext, Task?>? HoldCall { get; set; }

    public async Task InitializeAsync()
    {
        var store = new FileSystemArtifactStore(ArtifactsRoot);
        var builder = new InProcessTestClusterBuilder(4);
        if (Environment.GetEnvironmentVariable("FARM_TEST_LOGS") is "1")
        {
            builder.ConfigureSiloHost((_, host) => host.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Information).AddFilter("Orleans", LogLevel.Warning));
        }
        builder.ConfigureSilo((options, silo) =>
        {
            silo.UseInMemoryReminderService();
            silo.Services.Configure<FarmTimingOptions>(timing => timing.WatchdogPeriod = TimeSpan.FromSeconds(1));
            silo.AddActivityPropagation();
            silo.AddOutgoingGrainCallFilter(async call =>
            {
                if (FailCall?.Invoke(call) is true)
                {
                    throw new SiloUnavailableException($"injected failure of {call.InterfaceMethod?.Name}");
                }
                if (HoldCall?.Invoke(call) is { } hold)
                {
                    await hold;
                }
                await call.Invoke();
            });
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

    public async Task<byte[]> ReadArtifactAsync(string key)
    {
        await using var stream = await Store.OpenAsync(key) ?? throw new FileNotFoundException(key);
        using var memory = new MemoryStream();
        await stream.CopyToAsync(memory);
        return memory.ToArray();
    }

    /// <summary>The reference render of the same request (<see cref="ReferenceRenders"/>), as .y4m bytes.</summary>
    public static Task<byte[]> ReferenceY4mAsync(RenderJobRequest request) => ReferenceRenders.Y4mAsync(CliArguments(request));

    /// <summary>The <c>farm render</c> arguments that ask for what <paramref name="request"/> asks (a prompt, not a storyboard).</summary>
    private static string[] CliArguments(RenderJobRequest request)
    {
        Assert.Null(request.Storyboard);
        List<string> args =
        [
            request.Prompt!, "--model", Path.Combine(ModelsRoot, request.Model), "--seed", Text(request.Seed),
            "--strategy", ApiNames.Name(request.Strategy), "--sync-every", Text(request.SyncEvery), "--blend", ApiNames.Name(request.Blend),
            "--anchors", ApiNames.Name(request.Anchors), "--scale", Text(request.Scale),
        ];
        foreach (var (option, value) in new (string, object?)[]
        {
            ("--seconds", request.Seconds), ("--fps", request.Fps), ("--steps", request.Steps), ("--guidance", request.Guidance),
            ("--guidance-focus", request.GuidanceFocus), ("--window", request.Window), ("--overlap", request.Overlap),
            ("--keyframe-stride", request.KeyframeStride), ("--first-frame", request.FirstFrame),
        })
        {
            if (value is not null)
            {
                args.AddRange([option, Text(value)]);
            }
        }
        return [.. args];
    }

    private static string Text(object value) => value is bool flag
        ? (flag ? "true" : "false")
        : Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)!;
}

[CollectionDefinition(Name)]
public sealed class FarmClusterCollection : ICollectionFixture<FarmClusterFixture>
{
    public const string Name = "farm cluster";
}
