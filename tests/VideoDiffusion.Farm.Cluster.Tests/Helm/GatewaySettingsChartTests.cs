using Microsoft.Extensions.Configuration;
using VideoDiffusion.Farm.Abstractions.Hosting;
using VideoDiffusion.Farm.Gateway.Hosting;
using VideoDiffusion.Farm.Grains.Hosting;
using YamlDotNet.RepresentationModel;
using static VideoDiffusion.Farm.Cluster.Tests.Helm.HelmChart;

namespace VideoDiffusion.Farm.Cluster.Tests.Helm;

/// <summary>
/// The gateway's limits, budget, event-stream and idempotency settings, the operator key and the silos' retention reach
/// the pods: the environment and Secrets the chart renders, bound the way the processes bind them, give the options
/// the values asked for; with the default values they give the options classes' own defaults.
/// </summary>
public sealed class GatewaySettingsChartTests
{
    [Fact]
    public async Task SettingsValuesBindIntoTheGatewayAndSiloOptions()
    {
        var objects = await TemplateAsync(SettingsValues);
        var gateway = GatewaySettings(objects).GetSection("Farm:Gateway").Get<GatewayOptions>()!;
        Assert.Equal(32768, gateway.MaxBodyBytes);
        Assert.Equal(300, gateway.MaxPromptLength);
        Assert.Equal(40, gateway.MaxStoryboardSegments);
        Assert.Equal(2, gateway.MaxPriority);
        Assert.True(gateway.AllowSyntheticModels);
        Assert.Equal(5000, gateway.Budget.MaxWindowStepsPerJob);
        Assert.Equal(4_000_000_000, gateway.Budget.MaxOutputPixelsPerJob);
        Assert.Equal(9000, gateway.Budget.MaxWindowStepsInFlight);
        Assert.Equal(8_000_000_000, gateway.Budget.MaxOutputPixelsInFlight);
        Assert.Equal(3, gateway.MaxEventStreamsPerTenant);
        Assert.Equal(TimeSpan.FromMinutes(15), gateway.MaxEventStreamDuration);
        Assert.Equal(TimeSpan.FromMilliseconds(1250), gateway.EventPollInterval);
        Assert.Equal(TimeSpan.FromHours(51), gateway.IdempotencyKeyLifetime);
        Assert.Equal(500, gateway.IdempotencyKeysKept);
        Assert.Equal("5994471abb01112afcc18159f6cc74b4f511b99806da59b3caf5a9c173cacfc5", gateway.OperatorKeySha256);
        var key = Assert.Single(gateway.ApiKeys);
        Assert.Equal(("studio-a", 7), (key.Tenant, key.MaxPriority));

        // the operator key's hash comes from a Secret, and the dashboard is on in silos and gateways alike
        var env = Environment(Container(Single(objects, "Deployment", $"{FullName}-gateway")));
        Assert.Equal($"{FullName}-operator-key", Text(env["Farm__Gateway__OperatorKeySha256"], "valueFrom", "secretKeyRef", "name"));
        Assert.Null(Text(env["Farm__Gateway__OperatorKeySha256"], "value"));
        foreach (var component in new[] { "gateway", "silo" })
        {
            var settings = Settings(objects, component);
            Assert.True(FarmClusterOptions.From(settings).Dashboard, $"{component}: the dashboard is off");
        }
        var retention = Settings(objects, "silo").GetSection("Farm:Retention").Get<RetentionOptions>()!;
        Assert.Equal(TimeSpan.FromDays(14), retention.CompletedJobLifetime);
        Assert.Equal(TimeSpan.Zero, retention.StoppedJobLifetime);
    }

    [Fact]
    public async Task DefaultValuesGiveTheOptionsClassesOwnDefaults()
    {
        var objects = await TemplateAsync("");
        var gateway = GatewaySettings(objects).GetSection("Farm:Gateway").Get<GatewayOptions>()!;
        var expected = new GatewayOptions();
        Assert.Equal(
            (expected.MaxSeconds, expected.MaxUnfinishedJobsPerTenant, expected.MaxBodyBytes, expected.MaxPromptLength, expected.MaxStoryboardSegments,
                expected.MaxPriority, expected.AllowSyntheticModels, expected.MaxEventStreamsPerTenant, expected.MaxEventStreamDuration,
                expected.EventPollInterval, expected.IdempotencyKeyLifetime, expected.IdempotencyKeysKept),
            (gateway.MaxSeconds, gateway.MaxUnfinishedJobsPerTenant, gateway.MaxBodyBytes, gateway.MaxPromptLength, gateway.MaxStoryboardSegments,
                gateway.MaxPriority, gateway.AllowSyntheticModels, gateway.MaxEventStreamsPerTenant, gateway.MaxEventStreamDuration,
                gateway.EventPollInterval, gateway.IdempotencyKeyLifetime, gateway.IdempotencyKeysKept));
        Assert.Equivalent(expected.Budget, gateway.Budget);
        Assert.Null(gateway.OperatorKeySha256);
        Assert.DoesNotContain(objects, o => Text(o, "metadata", "name") == $"{FullName}-operator-key");
        Assert.False(FarmClusterOptions.From(Settings(objects, "gateway")).Dashboard);
        Assert.Equivalent(new RetentionOptions(), Settings(objects, "silo").GetSection("Farm:Retention").Get<RetentionOptions>());
    }

    [Fact]
    public async Task AnExistingOperatorKeySecretIsReadInsteadOfAChartSecret()
    {
        var (exit, yaml, stderr) = await TemplateTextAsync("", "--set", "gateway.dashboard.enabled=true", "--set", "gateway.dashboard.existingSecret=ops-key");
        Assert.True(exit == 0, stderr);
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var objects = stream.Documents.Select(d => d.RootNode).OfType<YamlMappingNode>().ToList();
        var env = Environment(Container(Single(objects, "Deployment", $"{FullName}-gateway")));
        Assert.Equal("ops-key", Text(env["Farm__Gateway__OperatorKeySha256"], "valueFrom", "secretKeyRef", "name"));
        Assert.Equal("operatorKeySha256", Text(env["Farm__Gateway__OperatorKeySha256"], "valueFrom", "secretKeyRef", "key"));
        Assert.DoesNotContain(objects, o => Text(o, "metadata", "name") == $"{FullName}-operator-key");
    }

    /// <summary>The gateway's configuration: its plain environment plus the Secrets the chart renders for it.</summary>
    private static IConfiguration GatewaySettings(IReadOnlyList<YamlMappingNode> objects) => Settings(objects, "gateway");

    /// <summary>
    /// A component's configuration as its process binds it: each variable's value (a Secret reference resolved from
    /// the Secret the chart renders) and every key of the Secrets it reads whole, with <c>__</c> read as <c>:</c>.
    /// </summary>
    private static IConfiguration Settings(IReadOnlyList<YamlMappingNode> objects, string component)
    {
        var secrets = objects.Where(o => Text(o, "kind") == "Secret")
            .ToDictionary(o => Text(o, "metadata", "name")!, o => (At(o, "stringData") as YamlMappingNode)?.Children
                .ToDictionary(c => ((YamlScalarNode)c.Key).Value!, c => ((YamlScalarNode)c.Value).Value) ?? []);
        var container = Container(Single(objects, "Deployment", $"{FullName}-{component}"));
        var values = new Dictionary<string, string?>();
        foreach (var (name, variable) in Environment(container))
        {
            var secret = Text(variable, "valueFrom", "secretKeyRef", "name");
            values[name] = secret is null ? Text(variable, "value")
                : secrets.GetValueOrDefault(secret)?.GetValueOrDefault(Text(variable, "valueFrom", "secretKeyRef", "key")!);
        }
        foreach (var source in Items(container, "envFrom").Select(e => Text(e, "secretRef", "name")).OfType<string>())
        {
            foreach (var (name, value) in secrets.GetValueOrDefault(source) ?? [])
            {
                values[name] = value;
            }
        }
        return new ConfigurationBuilder()
            .AddInMemoryCollection(values.Where(v => v.Key.StartsWith("Farm__", StringComparison.Ordinal))
                .Select(v => KeyValuePair.Create(v.Key.Replace("__", ":", StringComparison.Ordinal), v.Value)))
            .Build();
    }
}
