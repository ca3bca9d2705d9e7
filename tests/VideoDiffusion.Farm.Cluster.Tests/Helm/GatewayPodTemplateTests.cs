using static VideoDiffusion.Farm.Cluster.Tests.Helm.HelmChart;

namespace VideoDiffusion.Farm.Cluster.Tests.Helm;

/// <summary>The rendered gateway pod's probes: ready once the gateway reaches the cluster, alive while it serves.</summary>
public sealed class GatewayPodTemplateTests
{
    public static TheoryData<string> ValueSetData => new(ValueSets);

    [Theory]
    [MemberData(nameof(ValueSetData))]
    public async Task ReadinessWaitsForTheClusterAndLivenessOnlyForTheProcess(string valueSet)
    {
        var container = Container(Single(await TemplateAsync(valueSet), "Deployment", $"{FullName}-gateway"));
        // a gateway started before any silo answers /healthz 503 until it reaches the cluster: liveness must not read it
        Assert.Equal("/healthz", Text(container, "readinessProbe", "httpGet", "path"));
        Assert.Equal("/livez", Text(container, "livenessProbe", "httpGet", "path"));
        Assert.Equal("http", Text(container, "livenessProbe", "httpGet", "port"));
    }
}
