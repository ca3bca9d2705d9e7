using System.Text.RegularExpressions;
using VideoDiffusion.Farm.Cluster.Tests.Telemetry;
using YamlDotNet.RepresentationModel;
using static VideoDiffusion.Farm.Cluster.Tests.Helm.HelmChart;

namespace VideoDiffusion.Farm.Cluster.Tests.Helm;

/// <summary>
/// The Helm chart without a Kubernetes cluster: helm lint and helm template for each value set, every rendered object
/// validated against its schema (Kubernetes, KEDA, Prometheus operator), the values schema refusing bad values, and
/// the monitoring objects carrying the repository's own rule and dashboard files.
/// </summary>
public sealed partial class HelmChartTests
{
    public static TheoryData<string> ValueSetData => new(ValueSets);

    [Theory]
    [MemberData(nameof(ValueSetData))]
    public async Task HelmLintPasses(string valueSet)
    {
        var (exit, stdout, stderr) = await LintAsync(valueSet);
        Assert.True(exit == 0, $"helm lint ({Describe(valueSet)}) exited with {exit}:\n{stdout}\n{stderr}");
        Assert.Contains("0 chart(s) failed", stdout);
    }

    [Theory]
    [MemberData(nameof(ValueSetData))]
    public async Task EveryRenderedObjectValidatesAgainstItsSchema(string valueSet)
    {
        var (exit, yaml, stderr) = await TemplateTextAsync(valueSet);
        Assert.True(exit == 0, $"helm template ({Describe(valueSet)}) exited with {exit}:\n{stderr}");
        var objects = await TemplateAsync(valueSet);
        var validation = await ValidateAsync(yaml);
        Assert.True(validation.ExitCode == 0, $"{Describe(valueSet)}: {validation.Error}");
        var validated = validation.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(objects.Count, validated.Count(line => line.StartsWith("ok ", StringComparison.Ordinal)));
        Assert.True(objects.Count >= 8, $"{Describe(valueSet)}: only {objects.Count} objects");
    }

    [Fact]
    public async Task TheValidatorRefusesAnObjectThatBreaksItsSchema()
    {
        var broken = "apiVersion: v1\nkind: Service\nmetadata:\n  name: broken\nspec:\n  ports:\n    - port: eighty\n";
        var (exit, _, stderr) = await ValidateAsync(broken);
        Assert.NotEqual(0, exit);
        Assert.Contains("Service/broken", stderr);
        Assert.Contains("port", stderr);
    }

    [Theory]
    [InlineData("silo.gpu.count=-1", "/silo/gpu/count", "minimum")]
    [InlineData("silo.executionProvider=rocm", "/silo/executionProvider", "one of")]
    [InlineData("silo.terminationGraceExtraSeconds=0", "/silo/terminationGraceExtraSeconds", "minimum")]
    [InlineData("gateway.maxPriority=11", "/gateway/maxPriority", "maximum")]
    [InlineData("gateway.budget.maxWindowStepsPerJob=-1", "/gateway/budget/maxWindowStepsPerJob", "minimum")]
    [InlineData("gateway.dashboard.operatorKeySha256=my-key", "/gateway/dashboard/operatorKeySha256", "pattern")]
    [InlineData("retention.stoppedJobLifetimeSeconds=-5", "/retention/stoppedJobLifetimeSeconds", "minimum")]
    public async Task TheValuesSchemaRefusesABadValueWithAClearMessage(string setting, string where, string why)
    {
        var (exit, _, stderr) = await TemplateTextAsync("", "--set", setting);
        Assert.NotEqual(0, exit);
        Assert.Contains(where, stderr);
        Assert.Contains(why, stderr);
    }

    [Fact]
    public async Task TheKedaTriggerReadsTheAutoscalingRecordingRule()
    {
        var objects = await TemplateAsync("ci/autoscaling-values.yaml");
        var scaled = Single(objects, "ScaledObject", $"{FullName}-silo");
        Assert.Equal($"{FullName}-silo", Text(scaled, "spec", "scaleTargetRef", "name"));
        Assert.Single(objects, o => Text(o, "kind") == "Deployment" && Text(o, "metadata", "name") == Text(scaled, "spec", "scaleTargetRef", "name"));
        // the backlog trigger first; the value set adds a wake-up trigger after it (extraTriggers)
        var trigger = Items(scaled, "spec", "triggers").First();
        Assert.Equal(2, Items(scaled, "spec", "triggers").Count());
        Assert.Equal("prometheus", Text(trigger, "type"));
        // the per-slot backlog is compared as a value (desired = current x value / threshold), not averaged per pod
        Assert.Equal("Value", Text(trigger, "metricType"));
        var query = Text(trigger, "metadata", "query")!;
        Assert.Equal(PrometheusScrapeTests.AutoscalingSignal, query); // the query the live scrape test runs during and after a job
        Assert.Contains(query, RecordedRuleNames());
        Assert.True(double.Parse(Text(trigger, "metadata", "threshold")!, System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.NotNull(Text(trigger, "metadata", "activationThreshold"));
        Assert.True(int.Parse(Text(scaled, "spec", "minReplicaCount")!) >= 1, "models stay loaded: at least one silo");
        Assert.True(int.Parse(Text(scaled, "spec", "maxReplicaCount")!) > int.Parse(Text(scaled, "spec", "minReplicaCount")!));
        Assert.NotNull(Text(scaled, "spec", "pollingInterval"));
        Assert.NotNull(Text(scaled, "spec", "cooldownPeriod"));
        var scaleDown = At(scaled, "spec", "advanced", "horizontalPodAutoscalerConfig", "behavior", "scaleDown")!;
        Assert.True(int.Parse(Text(scaleDown, "stabilizationWindowSeconds")!) >= 300, "a long scale-down window");
        // KEDA owns the replica count: the Deployment leaves it unset
        Assert.Null(At(Single(objects, "Deployment", $"{FullName}-silo"), "spec", "replicas"));
    }

    [Fact]
    public async Task TheDefaultAutoscalingQueryIsTheRuleTheScrapeTestChecks()
    {
        var values = new YamlStream();
        values.Load(new StringReader(await File.ReadAllTextAsync(Path.Combine(ChartDirectory, "values.yaml"))));
        Assert.Equal(PrometheusScrapeTests.AutoscalingSignal, Text(values.Documents[0].RootNode, "autoscaling", "prometheus", "query"));
    }

    [Fact]
    public void TheChartReadsTheRepositorysRuleAndDashboardFilesThroughLinks()
    {
        foreach (var (link, target) in new[] { ("prometheus-rules", "infra/prometheus/rules"), ("grafana-dashboards", "infra/grafana/dashboards") })
        {
            var directory = new DirectoryInfo(Path.Combine(ChartDirectory, "files", link));
            Assert.True(directory.LinkTarget is not null, $"charts/videodiffusion-farm/files/{link} must be a symbolic link, not a copy");
            var resolved = Path.GetFullPath(Path.Combine(directory.Parent!.FullName, directory.LinkTarget!));
            Assert.Equal(Path.GetFullPath(Path.Combine(RepositoryPaths.Root, target)), resolved);
        }
    }

    [Fact]
    public async Task ThePrometheusRuleHoldsEveryGroupOfTheRuleFiles()
    {
        var objects = await TemplateAsync("ci/autoscaling-values.yaml");
        var rule = Single(objects, "PrometheusRule", FullName);
        var rendered = Items(rule, "spec", "groups").ToList();
        var files = Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "infra", "prometheus", "rules"), "*.yml").Order(StringComparer.Ordinal)
            .SelectMany(file => Items(LoadYaml(file), "groups")).ToList();
        Assert.Equal(files.Select(g => Text(g, "name")), rendered.Select(g => Text(g, "name")));
        for (var g = 0; g < files.Count; g++)
        {
            var expected = Items(files[g], "rules").Select(r => (Text(r, "record") ?? Text(r, "alert"), Text(r, "expr"), Text(r, "for"))).ToList();
            var actual = Items(rendered[g], "rules").Select(r => (Text(r, "record") ?? Text(r, "alert"), Text(r, "expr"), Text(r, "for"))).ToList();
            Assert.Equal(expected, actual);
        }
    }

    [Fact]
    public async Task TheDashboardsConfigMapHoldsEveryDashboardByteForByte()
    {
        var objects = await TemplateAsync("ci/autoscaling-values.yaml");
        var map = Single(objects, "ConfigMap", $"{FullName}-dashboards");
        Assert.Equal("1", Text(map, "metadata", "labels", "grafana_dashboard"));
        var files = Directory.GetFiles(PrometheusExpressions.DashboardsDirectory, "*.json").Order(StringComparer.Ordinal).ToList();
        var data = (YamlMappingNode)At(map, "data")!;
        Assert.Equal(files.Select(Path.GetFileName), data.Children.Keys.Select(k => ((YamlScalarNode)k).Value));
        foreach (var file in files)
        {
            Assert.Equal(await File.ReadAllTextAsync(file), Text(data, Path.GetFileName(file)));
        }
    }

    [Fact]
    public async Task ServiceMonitorsGiveTheJobNamesTheRulesUse()
    {
        var objects = await TemplateAsync("ci/autoscaling-values.yaml");
        var alerts = await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.Root, "infra", "prometheus", "rules", "farm-alerts.yml"));
        Assert.Contains("job=\"farm-silo\"", alerts);
        foreach (var (job, service, port) in new[] { ("farm-silo", $"{FullName}-silo", "metrics"), ("farm-gateway", $"{FullName}-gateway", "http") })
        {
            var monitor = Single(objects, "ServiceMonitor", $"{FullName}-{job}");
            var label = Text(monitor, "spec", "jobLabel")!;
            Assert.Equal(job, Text(monitor, "spec", "selector", "matchLabels", label));
            Assert.Equal(job, Text(Single(objects, "Service", service), "metadata", "labels", label));
            Assert.Equal(port, Text(Items(monitor, "spec", "endpoints").Single(), "port"));
            Assert.Contains(Items(Single(objects, "Service", service), "spec", "ports"), p => Text(p, "name") == port);
        }
    }

    private static YamlMappingNode LoadYaml(string file)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(file)));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static HashSet<string> RecordedRuleNames() =>
        Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "infra", "prometheus", "rules"), "*.yml")
            .SelectMany(file => RecordLine().Matches(File.ReadAllText(file)).Select(m => m.Groups[1].Value))
            .ToHashSet(StringComparer.Ordinal);

    [GeneratedRegex(@"^\s*-?\s*record:\s*(\S+)\s*$", RegexOptions.Multiline)]
    private static partial Regex RecordLine();
}
