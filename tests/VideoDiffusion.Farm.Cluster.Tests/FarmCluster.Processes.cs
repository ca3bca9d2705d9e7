namespace VideoDiffusion.Farm.Cluster.Tests;

/// <summary>The fixture's silo and gateway processes: their command lines, and launches that survive a free port taken meanwhile.</summary>
public partial class FarmCluster
{
    /// <summary>
    /// A silo process of cluster <paramref name="clusterId"/> on this fixture's Redis and Azurite, with
    /// <paramref name="settings"/> (which win); the caller kills it.
    /// </summary>
    public async Task<(ServerProcess Process, int SiloPort, int MetricsPort)> LaunchSiloAsync(string clusterId, string name, params string[] settings)
    {
        // ports picked free can be taken before the silo binds them; the metrics port is bound after the Orleans
        // ports, so a silo counts as started once /metrics answers, and one that died binding is started again
        for (var attempt = 1; ; attempt++)
        {
            var siloPort = ServerProcess.FreeLoopbackPort();
            var metricsPort = ServerProcess.FreeLoopbackPort();
            var process = await ServerProcess.StartAsync(name, "dotnet", gatewayPort => SiloArguments(clusterId, name, siloPort, gatewayPort, metricsPort, settings),
                TimeSpan.FromSeconds(90));
            using var http = new HttpClient();
            var served = await Poll.UntilAsync(async () =>
            {
                if (process.HasExited)
                {
                    return (bool?)false;
                }
                try
                {
                    await http.GetStringAsync($"http://127.0.0.1:{metricsPort}/metrics");
                    return true;
                }
                catch (HttpRequestException)
                {
                    return null;
                }
            }, r => r is not null, TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(200), _ => $"{name}: no /metrics on port {metricsPort}");
            if (served == true)
            {
                return (process, siloPort, metricsPort);
            }
            var error = process.StandardError;
            await process.DisposeAsync();
            if (attempt == 3 || !error.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException($"{name} exited after it started:\n{error}");
            }
        }
    }

    private IEnumerable<string> SiloArguments(string clusterId, string name, int siloPort, int gatewayPort, int metricsPort, string[] settings) =>
    [
        FarmBinaries.Silo,
        .. Common(clusterId),
        $"--Farm:SiloPort={siloPort}",
        $"--Farm:GatewayPort={gatewayPort}",
        $"--Farm:SiloName={name}",
        $"--Farm:Telemetry:MetricsPort={metricsPort}",
        "--Farm:Telemetry:MetricsHost=127.0.0.1",
        $"--Farm:Accelerator:ModelsRoot={Path.Combine(RepositoryPaths.Root, "models")}",
        "--Farm:Accelerator:ThreadsPerSlot=1",
        "--Farm:Accelerator:CheckpointEvery=2",
        // find a killed silo within seconds, not Orleans' production defaults
        "--Farm:Membership:ProbeTimeout=00:00:01",
        "--Farm:Membership:NumMissedProbesLimit=2",
        "--Farm:Membership:NumVotesForDeathDeclaration=1",
        .. settings,
    ];

    /// <summary>
    /// Another gateway process with the fixture's keys and quotas plus <paramref name="settings"/> (which win), for
    /// cluster <paramref name="clusterId"/>, on a free port; returned once it listens, connected to the cluster or not.
    /// </summary>
    public Task<ServerProcess> LaunchGatewayAsync(string clusterId, params string[] settings) => LaunchGatewayAsync(clusterId, null, settings);

    /// <summary><see cref="LaunchGatewayAsync(string, string[])"/>, returned once it serves API calls from its cluster.</summary>
    public async Task<ServerProcess> LaunchServingGatewayAsync(string clusterId, params string[] settings)
    {
        var gateway = await LaunchGatewayAsync(clusterId, settings);
        using var http = Client(Keys["tenant-a"], gateway.Port);
        await WaitUntilServingAsync(http, gateway);
        return gateway;
    }


    private async Task StartGatewayAsync()
    {
        Gateway = await LaunchGatewayAsync(_clusterId, GatewayPort, []);
        GatewayPort = Gateway.Port;
        using var http = Client(Keys["tenant-a"]);
        await WaitUntilServingAsync(http, Gateway);
    }

    /// <summary>Waits until the gateway <paramref name="http"/> talks to answers API calls from the cluster (its <c>/v1/models</c> succeeds).</summary>
    public static Task WaitUntilServingAsync(HttpClient http, ServerProcess gateway) =>
        Poll.UntilAsync(
            async () =>
            {
                using var models = await http.GetAsync("v1/models");
                return models.IsSuccessStatusCode;
            },
            ready => ready, TimeSpan.FromSeconds(90), TimeSpan.FromMilliseconds(250),
            _ => "the gateway did not reach the cluster: " + gateway.StandardOutput,
            transient: e => e is HttpRequestException);

    private Task<ServerProcess> LaunchGatewayAsync(string clusterId, int? port, IEnumerable<string> settings)
    {
        var keys = Keys.Select(k => (Tenant: k.Key, Key: k.Value, ReadOnly: false)).Append((Tenant: "tenant-a", Key: ReadOnlyKey, ReadOnly: true)).ToList();
        return ServerProcess.StartAsync("gateway", "dotnet", free =>
        [
            FarmBinaries.Gateway,
            $"--urls=http://127.0.0.1:{free}",
            .. Common(clusterId),
            $"--Farm:Gateway:MaxUnfinishedJobsPerTenant={MaxUnfinishedJobsPerTenant}",
            $"--Farm:Gateway:MaxSeconds={MaxSeconds}",
            "--Farm:Gateway:MaxBodyBytes=16384",
            .. keys.SelectMany((k, i) => new[]
            {
                $"--Farm:Gateway:ApiKeys:{i}:Tenant={k.Tenant}",
                $"--Farm:Gateway:ApiKeys:{i}:Sha256={Hash(k.Key)}",
                $"--Farm:Gateway:ApiKeys:{i}:ReadOnly={k.ReadOnly}",
            }),
            .. settings,
        ], TimeSpan.FromSeconds(90), fixedPort: port);
    }

    private IEnumerable<string> Common(string clusterId) =>
    [
        "--Farm:Clustering=Redis",
        $"--Farm:RedisConnection={Redis.ConnectionString}",
        $"--Farm:ClusterId={clusterId}",
        "--Farm:Artifacts:Kind=AzureBlob",
        $"--Farm:Artifacts:ConnectionString={Azurite.ConnectionString}",
        $"--Farm:Artifacts:Container={Container}",
        "--Farm:Dashboard=true",
        "--Logging:LogLevel:Default=Warning",
        "--Logging:LogLevel:VideoDiffusion=Information",
    ];
}
