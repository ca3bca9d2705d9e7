using VideoDiffusion.Farm.Abstractions.Hosting;
using VideoDiffusion.Farm.ServiceDefaults;
using YamlDotNet.RepresentationModel;
using static VideoDiffusion.Farm.Cluster.Tests.Helm.HelmChart;

namespace VideoDiffusion.Farm.Cluster.Tests.Helm;

/// <summary>
/// The fields of the rendered silo pods that Orleans' Kubernetes hosting, the silo's settings and a GPU node pool
/// depend on, for every value set: identity labels and downward-API variables, RBAC, grace period against the
/// shutdown timeout, ports and probes, GPU resources, and every Farm__ variable naming a setting the processes bind.
/// </summary>
public sealed class SiloPodTemplateTests
{
    public static TheoryData<string> ValueSetData => new(ValueSets);

    private static string SiloName => $"{FullName}-silo";

    [Theory]
    [MemberData(nameof(ValueSetData))]
    public async Task SiloPodsCarryTheOrleansIdentityAndTheDownwardApi(string valueSet)
    {
        var silo = Single(await TemplateAsync(valueSet), "Deployment", SiloName);
        var labels = At(silo, "spec", "template", "metadata", "labels")!;
        var env = Environment(Container(silo));
        Assert.Equal(Text(labels, "orleans/serviceId"), Text(env["ORLEANS_SERVICE_ID"], "value"));
        Assert.Equal(Text(labels, "orleans/clusterId"), Text(env["ORLEANS_CLUSTER_ID"], "value"));
        Assert.Equal(Text(env["Farm__ServiceId"], "value"), Text(env["ORLEANS_SERVICE_ID"], "value"));
        Assert.Equal(Text(env["Farm__ClusterId"], "value"), Text(env["ORLEANS_CLUSTER_ID"], "value"));
        foreach (var (name, field) in new[] { ("POD_NAME", "metadata.name"), ("POD_NAMESPACE", "metadata.namespace"), ("POD_IP", "status.podIP") })
        {
            Assert.Equal(field, Text(env[name], "valueFrom", "fieldRef", "fieldPath"));
        }
        Assert.Equal("true", Text(env["Farm__Kubernetes"], "value"));
        Assert.Equal("Redis", Text(env["Farm__Clustering"], "value"));
        Assert.Equal("AzureBlob", Text(env["Farm__Artifacts__Kind"], "value"));
        Assert.Equal("0", Text(silo, "spec", "strategy", "rollingUpdate", "maxUnavailable"));
        Assert.Equal("kubernetes.io/hostname", Text(silo, "spec", "template", "spec", "topologySpreadConstraints", 0, "topologyKey"));
    }

    [Theory]
    [MemberData(nameof(ValueSetData))]
    public async Task TheSilosServiceAccountMayWatchDeleteAndPatchPods(string valueSet)
    {
        var objects = await TemplateAsync(valueSet);
        var account = Text(Single(objects, "Deployment", SiloName), "spec", "template", "spec", "serviceAccountName");
        Assert.Equal("true", Text(Single(objects, "Deployment", SiloName), "spec", "template", "spec", "automountServiceAccountToken"));
        Single(objects, "ServiceAccount", account!);
        var rule = Assert.Single(Items(Single(objects, "Role", SiloName), "rules"));
        Assert.Equal([""], Scalars(rule, "apiGroups"));
        Assert.Equal(["pods"], Scalars(rule, "resources"));
        Assert.Equal(["delete", "get", "list", "patch", "watch"], Scalars(rule, "verbs").Order(StringComparer.Ordinal));
        var binding = Single(objects, "RoleBinding", SiloName);
        Assert.Equal(SiloName, Text(binding, "roleRef", "name"));
        var subject = Assert.Single(Items(binding, "subjects"));
        Assert.Equal(("ServiceAccount", account, "render"), (Text(subject, "kind"), Text(subject, "name"), Text(subject, "namespace")));
        Assert.NotNull(At(Single(objects, "PodDisruptionBudget", SiloName), "spec", "maxUnavailable"));
    }

    [Theory]
    [MemberData(nameof(ValueSetData))]
    public async Task KubernetesWaitsLongerThanTheSilosShutdownTimeout(string valueSet)
    {
        var silo = Single(await TemplateAsync(valueSet), "Deployment", SiloName);
        var shutdown = TimeSpan.Parse(Text(Environment(Container(silo))["Farm__ShutdownTimeout"], "value")!, System.Globalization.CultureInfo.InvariantCulture);
        var grace = TimeSpan.FromSeconds(int.Parse(Text(silo, "spec", "template", "spec", "terminationGracePeriodSeconds")!));
        Assert.True(shutdown >= TimeSpan.FromSeconds(5), $"{Describe(valueSet)}: shutdown timeout {shutdown}");
        Assert.True(grace > shutdown, $"{Describe(valueSet)}: grace period {grace} is not longer than the shutdown timeout {shutdown}");
    }

    [Theory]
    [MemberData(nameof(ValueSetData))]
    public async Task PortsAndProbesAreTheOnesTheSiloServes(string valueSet)
    {
        var objects = await TemplateAsync(valueSet);
        var container = Container(Single(objects, "Deployment", SiloName));
        var env = Environment(container);
        var ports = Items(container, "ports").ToDictionary(p => Text(p, "name")!, p => int.Parse(Text(p, "containerPort")!));
        var defaults = new FarmClusterOptions();
        Assert.Equal(defaults.SiloPort, ports["silo"]);
        Assert.Equal(defaults.GatewayPort, ports["orleans-gateway"]);
        Assert.Equal(new TelemetryOptions().MetricsPort, ports["metrics"]);
        Assert.Equal(ports["silo"].ToString(System.Globalization.CultureInfo.InvariantCulture), Text(env["Farm__SiloPort"], "value"));
        Assert.Equal(ports["orleans-gateway"].ToString(System.Globalization.CultureInfo.InvariantCulture), Text(env["Farm__GatewayPort"], "value"));
        Assert.Equal(ports["metrics"].ToString(System.Globalization.CultureInfo.InvariantCulture), Text(env["Farm__Telemetry__MetricsPort"], "value"));
        foreach (var probe in new[] { "startupProbe", "readinessProbe", "livenessProbe" })
        {
            Assert.Equal("/healthz", Text(container, probe, "httpGet", "path"));
            Assert.Equal("metrics", Text(container, probe, "httpGet", "port"));
        }
        var service = Single(objects, "Service", SiloName);
        Assert.Equal("None", Text(service, "spec", "clusterIP"));
        Assert.Equal(ports.Keys.Order(StringComparer.Ordinal), Items(service, "spec", "ports").Select(p => Text(p, "targetPort")!).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("", true, "cuda", "1")]
    [InlineData("ci/gpu-values.yaml", true, "tensorrt", "2")]
    [InlineData("ci/autoscaling-values.yaml", true, "cuda", "1")]
    [InlineData("values-dev.yaml", false, "cpu", "1")]
    public async Task GpuSilosAskForGpusAndRunOneSlotOnEach(string valueSet, bool gpu, string provider, string slots)
    {
        var silo = Single(await TemplateAsync(valueSet), "Deployment", SiloName);
        var container = Container(silo);
        var env = Environment(container);
        Assert.Equal(provider, Text(env["Farm__Accelerator__ExecutionProvider"], "value"));
        Assert.Equal(slots, Text(env["Farm__Accelerator__Slots"], "value"));
        Assert.Equal(gpu ? slots : null, Text(container, "resources", "limits", "nvidia.com/gpu"));
        Assert.Equal(gpu, Items(silo, "spec", "template", "spec", "tolerations").Any(t => Text(t, "key") == "nvidia.com/gpu"));
    }

    [Theory]
    [MemberData(nameof(ValueSetData))]
    public async Task EveryFarmVariableIsASettingTheProcessesBind(string valueSet)
    {
        var objects = await TemplateAsync(valueSet);
        var names = objects.Where(o => Text(o, "kind") is "Deployment" or "StatefulSet")
            .SelectMany(o => Items(o, "spec", "template", "spec", "containers")).SelectMany(c => Items(c, "env")).Select(e => Text(e, "name")!)
            .Concat(objects.Where(o => Text(o, "kind") == "Secret").Select(o => At(o, "stringData")).OfType<YamlMappingNode>()
                .SelectMany(d => d.Children.Keys.Select(k => ((YamlScalarNode)k).Value!)))
            .Where(n => n.StartsWith("Farm__", StringComparison.Ordinal)).Distinct().ToList();
        Assert.True(names.Count >= 15, $"{Describe(valueSet)}: only {names.Count} Farm__ variables");
        Assert.All(names, name => Assert.True(FarmSettingBinding.Binds(name), $"{Describe(valueSet)}: {name} is not a setting any options class binds"));
    }

    [Fact]
    public async Task DevelopmentValuesBundleRedisWithAppendOnlyStorageAndAzurite()
    {
        var objects = await TemplateAsync("values-dev.yaml");
        Assert.Equal("2", Text(Single(objects, "Deployment", SiloName), "spec", "replicas"));
        var redis = Single(objects, "StatefulSet", $"{FullName}-redis");
        var args = Items(redis, "spec", "template", "spec", "containers").Single() is var c ? Scalars(c, "args") : [];
        Assert.Contains("--appendonly", args);
        Assert.Equal("yes", args[args.IndexOf("--appendonly") + 1]);
        Assert.Equal("data", Text(redis, "spec", "volumeClaimTemplates", 0, "metadata", "name"));
        Single(objects, "Deployment", $"{FullName}-azurite");
        var env = Environment(Container(Single(objects, "Deployment", SiloName)));
        Assert.Equal($"{FullName}-redis:6379", Text(env["Farm__RedisConnection"], "value"));
        Assert.Contains($"http://{FullName}-azurite:10000/", Text(env["Farm__Artifacts__ConnectionString"], "value"));
    }

    private static List<string> Scalars(YamlNode node, params object[] path) =>
        At(node, path) is YamlSequenceNode sequence ? sequence.Children.OfType<YamlScalarNode>().Select(s => s.Value!).ToList() : [];
}
