namespace VideoDiffusion.Farm.Cluster.Tests.Telemetry;

/// <summary>
/// Two silo processes, the gateway, Redis and Azurite (as <see cref="FarmCluster"/>), and a real Prometheus scraping
/// both silos and the gateway every second with the repository's recording rules and alerts.
/// </summary>
public sealed class TelemetryCluster() : FarmCluster(2)
{
    public PrometheusServer Prometheus { get; private set; } = null!;

    public static string RulesFolder => Path.Combine(RepositoryPaths.Root, "infra", "prometheus", "rules");

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Prometheus = await PrometheusServer.StartAsync(new Dictionary<string, IReadOnlyList<string>>
        {
            [PrometheusServer.SiloJob] = SiloMetricsPorts.Select(p => $"127.0.0.1:{p}").ToList(),
            [PrometheusServer.GatewayJob] = [$"127.0.0.1:{GatewayPort}"],
        }, Directory.GetFiles(RulesFolder, "*.yml"));
    }

    public override async Task DisposeAsync()
    {
        if (Prometheus is not null)
        {
            await Prometheus.DisposeAsync();
        }
        await base.DisposeAsync();
    }
}

/// <summary>The telemetry tests' own cluster; the assembly runs collections one after another.</summary>
[CollectionDefinition(Name)]
public sealed class TelemetryCollection : ICollectionFixture<TelemetryCluster>
{
    public const string Name = "telemetry cluster";
}
