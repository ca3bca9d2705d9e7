using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using StackExchange.Redis;
using VideoDiffusion.Farm.Abstractions;
using VideoDiffusion.Farm.Abstractions.Api;
using VideoDiffusion.Farm.Artifacts;
using VideoDiffusion.Farm.Artifacts.AzureBlob;

namespace VideoDiffusion.Farm.Cluster.Tests;

/// <summary>
/// A whole cluster as real processes on 127.0.0.1: redis-server, Azurite, three silo processes on Redis clustering
/// with state and reminders on Redis and artifacts in Azurite, and the gateway. Also an Orleans client for what only
/// an operator sees (which silo hosts a job grain). Each silo serves <c>/metrics</c> and <c>/healthz</c> on a port of its own.
/// </summary>
public partial class FarmCluster : IAsyncLifetime
{
    public const int DefaultSiloCount = 3;

    public FarmCluster() : this(DefaultSiloCount)
    {
    }

    protected FarmCluster(int siloCount) => SiloCount = siloCount;

    public int SiloCount { get; }
    public const int MaxUnfinishedJobsPerTenant = 2;
    public const double MaxSeconds = 120;
    public const string Container = "farm";

    /// <summary>Tenants and their API keys (the gateway is configured with the keys' hashes only).</summary>
    public static readonly IReadOnlyDictionary<string, string> Keys = new Dictionary<string, string>
    {
        ["tenant-a"] = "key-a-0123456789",
        ["tenant-b"] = "key-b-0123456789",
        ["tenant-c"] = "key-c-0123456789",
        ["tenant-d"] = "key-d-0123456789",
    };

    /// <summary>A read-only key of tenant-a.</summary>
    public const string ReadOnlyKey = "key-a-readonly-42";

    private readonly string _clusterId = "test-" + Guid.NewGuid().ToString("N")[..8];
    private readonly List<(ServerProcess? Process, int SiloPort, int MetricsPort)> _silos = [];
    private IHost? _clientHost;

    public RedisServer Redis { get; private set; } = null!;

    public AzuriteServer Azurite { get; private set; } = null!;

    public ServerProcess Gateway { get; private set; } = null!;

    public int GatewayPort { get; private set; }

    /// <summary>The Orleans cluster id the silos and the gateway share (another id on the same Redis is another, empty cluster).</summary>
    public string ClusterId => _clusterId;

    public Uri GatewayUri => new($"http://127.0.0.1:{GatewayPort}/");

    public IClusterClient Orleans => _clientHost!.Services.GetRequiredService<IClusterClient>();

    public IArtifactStore Artifacts => new BlobArtifactStore(Azurite.ConnectionString, Container);

    /// <summary>The metrics ports of the running silos (their <c>/metrics</c> and <c>/healthz</c>).</summary>
    public IReadOnlyList<int> SiloMetricsPorts => _silos.Where(s => s.Process is { HasExited: false }).Select(s => s.MetricsPort).ToList();

    public virtual async Task InitializeAsync()
    {
        Redis = await RedisServer.StartAsync();
        Azurite = await AzuriteServer.StartAsync();
        for (var i = 0; i < SiloCount; i++)
        {
            _silos.Add((null, 0, 0));
            await StartSiloAsync(i);
        }
        GatewayPort = ServerProcess.FreeLoopbackPort();
        await StartGatewayAsync();
        var builder = Host.CreateApplicationBuilder();
        builder.UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = _clusterId;
                o.ServiceId = "videodiffusion-farm";
            });
            client.UseRedisClustering(o => o.ConfigurationOptions = ConfigurationOptions.Parse(Redis.ConnectionString));
        });
        _clientHost = builder.Build();
        await _clientHost.StartAsync();
    }

    public virtual async Task DisposeAsync()
    {
        if (_clientHost is not null)
        {
            try
            {
                await _clientHost.StopAsync(TimeSpan.FromSeconds(5));
            }
            catch (Exception)
            {
                // the cluster goes down next anyway
            }
            _clientHost.Dispose();
        }
        Gateway?.Kill();
        foreach (var (process, _, _) in _silos)
        {
            process?.Kill();
        }
        Azurite?.Dispose();
        Redis?.Dispose();
    }

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>An HTTP client of the gateway (or of the gateway on <paramref name="port"/>) authenticated with <paramref name="key"/> (none when null).</summary>
    public HttpClient Client(string? key, int? port = null)
    {
        var http = new HttpClient { BaseAddress = port is { } p ? new Uri($"http://127.0.0.1:{p}/") : GatewayUri, Timeout = TimeSpan.FromMinutes(2) };
        if (key is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }
        return http;
    }

    /// <summary>The silo index whose Orleans silo port appears in <paramref name="siloAddress"/>, or -1.</summary>
    public int SiloIndexOf(string siloAddress) =>
        _silos.FindIndex(s => s.Process is not null && siloAddress.Contains($":{s.SiloPort}", StringComparison.Ordinal));

    /// <summary>Index of the silo process hosting the job's grain (retried while the client learns of a dead gateway).</summary>
    public async Task<int> JobGrainSiloAsync(string jobId)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return SiloIndexOf((await Orleans.GetGrain<IRenderJobGrain>(jobId).GetStatus()).HostSilo);
            }
            catch (Exception) when (attempt < 60)
            {
                await Task.Delay(500);
            }
        }
    }

    /// <summary>
    /// A running silo of the fixture other than <paramref name="except"/> that runs windows of job
    /// <paramref name="jobId"/>, as the gateway's farm view reports it (<paramref name="http"/> is the job's tenant); null when none.
    /// </summary>
    public async Task<int?> SiloRunningWindowsOfAsync(HttpClient http, string jobId, int except)
    {
        var farm = (await http.GetFromJsonAsync<FarmView>("v1/farm", ApiJson.Options))!;
        var silos = farm.Jobs.FirstOrDefault(j => j.Id == jobId)?.Silos ?? new Dictionary<string, int>();
        return Enumerable.Range(0, _silos.Count)
            .Where(i => i != except && IsRunning(i) && silos.GetValueOrDefault($"silo-{i}") > 0)
            .Select(i => (int?)i)
            .FirstOrDefault();
    }

    public bool IsRunning(int index) => _silos[index].Process is { HasExited: false };

    public void KillSilo(int index)
    {
        _silos[index].Process?.Kill();
        _silos[index] = (null, 0, 0);
    }

    /// <summary>SIGTERM to a silo process and waits until it has exited (it hands its windows over first).</summary>
    public async Task TerminateSiloAsync(int index)
    {
        if (_silos[index].Process is { } process)
        {
            await process.TerminateAsync(TimeSpan.FromSeconds(60));
        }
        _silos[index] = (null, 0, 0);
    }

    /// <summary>
    /// A counter summed over the running silos' <c>/metrics</c> (every series of the family), leaving out silo
    /// <paramref name="except"/> (one about to stop, whose count would leave the sum with it).
    /// </summary>
    public async Task<double> SiloCounterAsync(string family, int? except = null)
    {
        using var http = new HttpClient();
        var total = 0.0;
        var ports = Enumerable.Range(0, _silos.Count).Where(i => i != except && IsRunning(i)).Select(i => _silos[i].MetricsPort);
        foreach (var port in ports)
        {
            var text = await MetricsTextAsync(http, port);
            total += text.Split('\n')
                .Where(line => line.StartsWith(family + "{", StringComparison.Ordinal) || line.StartsWith(family + " ", StringComparison.Ordinal))
                .Sum(line => double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        }
        return total;
    }

    public async Task StartSiloAsync(int index)
    {
        var (process, siloPort, metricsPort) = await LaunchSiloAsync(_clusterId, $"silo-{index}");
        _silos[index] = (process, siloPort, metricsPort);
    }

    /// <summary>A silo's <c>/metrics</c> text, waiting (up to 60 s) for the endpoint to accept connections.</summary>
    private static async Task<string> MetricsTextAsync(HttpClient http, int port) =>
        (await Poll.UntilAsync(async () =>
        {
            try
            {
                return await http.GetStringAsync($"http://127.0.0.1:{port}/metrics");
            }
            catch (HttpRequestException)
            {
                return null;
            }
        }, t => t is not null, TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(200), _ => $"no /metrics on port {port}"))!;

    /// <summary>
    /// Submits a job whose stitch takes seconds (60 s, 2 steps, scaled 8×) and waits, polling its grain, until it stitches;
    /// fails when the job finished first.
    /// </summary>
    public async Task<(JobView Job, IRenderJobGrain Grain)> SubmitAndWaitUntilStitchingAsync(HttpClient http, string prompt)
    {
        var job = await FarmJobs.SubmitAsync(http, new { prompt, seconds = 60, steps = 2, scale = 8 });
        var grain = Orleans.GetGrain<IRenderJobGrain>(job.Id);
        var stitching = await Poll.UntilAsync(grain.GetStatus, s => s.IsFinished || s.State == JobState.Stitching, TimeSpan.FromMinutes(3),
            TimeSpan.FromMilliseconds(50), s => $"job {job.Id} still {s?.State}");
        Assert.True(stitching.State == JobState.Stitching, $"the job got to {stitching.State} before it stitched: make it longer");
        return (job, grain);
    }

    public async Task RestartGatewayAsync(TimeSpan down)
    {
        Gateway.Kill();
        await Task.Delay(down);
        await StartGatewayAsync();
    }

    /// <summary>Environment for the <c>farm</c> CLI acting as <paramref name="tenant"/>.</summary>
    public IReadOnlyDictionary<string, string> CliEnvironment(string tenant) => new Dictionary<string, string>
    {
        ["FARM_GATEWAY"] = GatewayUri.ToString(),
        ["FARM_API_KEY"] = Keys[tenant],
    };
}
