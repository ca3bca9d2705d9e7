using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.TestingHost;
using VideoDiffusion.Farm.Abstractions;
using VideoDiffusion.Farm.Artifacts.FileSystem;
using VideoDiffusion.Farm.Grains.Execution;
using VideoDiffusion.Farm.Grains.Hosting;
using VideoDiffusion.Farm.Grains.Placement;
using VideoDiffusion.Farm.Grains.Telemetry;

namespace VideoDiffusion.Farm.Grains.Tests;

/// <summary>
/// Windows follow capacity: silos that join during a job take over part of its running windows (a silo that stops
/// handing its windows over is in <see cref="FarmFailureTests"/>). Its own in-process cluster, real model.
/// </summary>
public sealed class WindowMoveTests : IAsyncLifetime
{
    private readonly string _artifacts = Directory.CreateTempSubdirectory("farm-moves-").FullName;
    private readonly CapturedLogs _logs = new("VideoDiffusion.Farm.Grains.Windows", "VideoDiffusion.Farm.Grains.Placement", "Orleans.Runtime.ActivationMigration", "Orleans.Runtime.MembershipService.SiloMetadata");
    private InProcessTestCluster _cluster = null!;

    private static RenderJobRequest Request() => new()
    {
        Prompt = "a red ball moving right on the beach",
        // long enough (13 windows × 100 steps, 20–30 s on one slot) that two silos can start, report and take windows
        // well before the end, also in a Release build on a quiet machine
        Seconds = 20,
        Steps = 100,
        Anchors = KeyframeAnchoring.None, // one pass of many windows
        Format = "y4m",
        Scale = 1,
        Seed = 5,
    };

    public async Task InitializeAsync()
    {
        var store = new FileSystemArtifactStore(_artifacts);
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.UseInMemoryReminderService();
            silo.Services.AddLogging(logging => logging.AddProvider(_logs));
            silo.Services.Configure<FarmTimingOptions>(timing =>
            {
                timing.WatchdogPeriod = TimeSpan.FromSeconds(1);
                timing.BalancePeriod = TimeSpan.FromMilliseconds(500);
            });
            silo.AddVideoFarm(new AcceleratorOptions { Slots = 1, ThreadsPerSlot = 1, MaxBatch = 4, ModelsRoot = FarmClusterFixture.ModelsRoot, CheckpointEvery = 5 }, store);
        });
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await _cluster.StopAllSilosAsync();
        await _cluster.DisposeAsync();
        Directory.Delete(_artifacts, recursive: true);
    }

    [Fact]
    public async Task SilosThatJoinDuringAJobTakeOverWindowsAndTheVideoIsUnchanged()
    {
        using var moves = new FarmCounter(FarmCounter.WindowMoves);
        using var recomputed = new FarmCounter(FarmCounter.RecomputedSteps);
        var request = Request();
        var jobId = Guid.NewGuid().ToString("N");
        var job = _cluster.Client.GetGrain<IRenderJobGrain>(jobId);
        await job.Submit(request);
        await FarmJobs.WaitAsync(_cluster.Client, jobId, TimeSpan.FromMinutes(3), until: s => s.IsFinished || s.Progress > 0.05);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var added = await _cluster.StartSilosAsync(2);
        var joinedAfter = clock.Elapsed;
        var status = await FarmJobs.WaitAsync(_cluster.Client, jobId, TimeSpan.FromMinutes(8));
        Assert.True(status.State == JobState.Completed, status.Error);

        // what the first silo's balancer knew at the end: the view it balances on and whether the added silos serve the job's model
        var first = _cluster.Silos[0].ServiceProvider;
        var servers = first.GetRequiredService<ModelServers>();
        var view = $"the added silos started {joinedAfter.TotalSeconds:0.0} s after they were asked for, the job finished after {clock.Elapsed.TotalSeconds:0.0} s; first silo's view: " + string.Join("; ", first.GetRequiredService<FarmLoad>().Snapshot().Select(l => $"{l.Address} {l.Windows} windows")) +
                   "; added silos serve the model: " + string.Join(", ", added.Select(s => servers.Serves(s.SiloAddress, request.Model, status.ModelHash)));
        Console.WriteLine(view);
        Console.WriteLine("the silos said:\n" + _logs.Last(30));
        var stepsOnNewSilos = added.Sum(s => s.ServiceProvider.GetRequiredService<DenoiseExecutor>().Statistics().WindowSteps);
        Console.WriteLine($"{status.WindowsTotal} windows; {moves.Total} moved; {stepsOnNewSilos} window-steps on the added silos; {recomputed.Total} recomputed");
        Assert.True(moves.Total >= 2, $"{moves.Total} windows moved; {view}; the silos said:\n{_logs.Last(60)}");
        Assert.All(added, s => Assert.True(s.ServiceProvider.GetRequiredService<DenoiseExecutor>().Statistics().WindowSteps > 0,
            $"{s.Name} ({s.SiloAddress}) ran no window-step; {view}; the silos said:\n{_logs.Last(60)}"));
        Assert.Equal(0, recomputed.Total);
        Assert.Equal(await FarmClusterFixture.ReferenceY4mAsync(request), await ReadAsync(status.Result!.ArtifactKey));
    }

    private async Task<byte[]> ReadAsync(string key)
    {
        await using var stream = await new FileSystemArtifactStore(_artifacts).OpenAsync(key) ?? throw new FileNotFoundException(key);
        using var memory = new MemoryStream();
        await stream.CopyToAsync(memory);
        return memory.ToArray();
    }
}
