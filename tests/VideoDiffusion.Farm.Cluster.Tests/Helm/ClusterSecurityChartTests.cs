using YamlDotNet.RepresentationModel;
using static VideoDiffusion.Farm.Cluster.Tests.Helm.HelmChart;

namespace VideoDiffusion.Farm.Cluster.Tests.Helm;

/// <summary>The chart closes the cluster: a NetworkPolicy on the silos' Orleans ports, mutual TLS from a Secret, a Redis password.</summary>
public sealed class ClusterSecurityChartTests
{
    [Fact]
    public async Task OnlyTheReleasesSilosAndGatewaysReachTheSilosOrleansPorts()
    {
        var objects = await TemplateAsync("");
        var policy = Single(objects, "NetworkPolicy", $"{FullName}-silo");
        Assert.Equal("silo", Text(policy, "spec", "podSelector", "matchLabels", "app.kubernetes.io/component"));
        Assert.Equal(["Ingress"], ((YamlSequenceNode)At(policy, "spec", "policyTypes")!).Children.Select(c => c.ToString()));
        var rules = Items(policy, "spec", "ingress").ToList();
        var orleans = Assert.Single(rules, r => Ports(r).Contains("11111"));
        Assert.Equal(["11111", "30000"], Ports(orleans));
        var peers = Items(orleans, "from").ToList();
        Assert.Equal(2, peers.Count);
        Assert.All(peers, p => Assert.Null(At(p, "namespaceSelector")));
        Assert.All(peers, p => Assert.Null(At(p, "ipBlock")));
        Assert.Equal(["gateway", "silo"], peers.Select(p => Text(p, "podSelector", "matchLabels", "app.kubernetes.io/component")!).Order());
        Assert.All(peers, p => Assert.Equal(Release, Text(p, "podSelector", "matchLabels", "app.kubernetes.io/instance")));
        // no other rule opens an Orleans port
        Assert.All(rules.Where(r => r != orleans), r => Assert.Equal(["9464"], Ports(r)));
        // the policy selects the pods the silo Deployment runs
        var silo = Single(objects, "Deployment", $"{FullName}-silo");
        Assert.Equal("silo", Text(silo, "spec", "template", "metadata", "labels", "app.kubernetes.io/component"));
    }

    [Fact]
    public async Task TheBundledRedisAcceptsOnlySilosAndGateways()
    {
        var policy = Single(await TemplateAsync("values-dev.yaml"), "NetworkPolicy", $"{FullName}-redis");
        var rule = Assert.Single(Items(policy, "spec", "ingress"));
        Assert.Equal(["6379"], Ports(rule));
        Assert.Equal(["gateway", "silo"], Items(rule, "from").Select(p => Text(p, "podSelector", "matchLabels", "app.kubernetes.io/component")!).Order());
    }

    [Theory]
    [InlineData("silo")]
    [InlineData("gateway")]
    public async Task SilosAndGatewaysSpeakTlsWithTheCertificateSecretByDefault(string component)
    {
        var workload = Single(await TemplateAsync(""), "Deployment", $"{FullName}-{component}");
        var env = Environment(Container(workload));
        Assert.Equal("/etc/farm/tls/cluster.pfx", Text(env["Farm__Tls__CertificatePath"], "value"));
        Assert.Equal($"{FullName}-tls", Text(env["Farm__Tls__CertificatePassword"], "valueFrom", "secretKeyRef", "name"));
        Assert.Equal("password", Text(env["Farm__Tls__CertificatePassword"], "valueFrom", "secretKeyRef", "key"));
        var mount = Assert.Single(Items(Container(workload), "volumeMounts"), m => Text(m, "name") == "tls");
        Assert.Equal("/etc/farm/tls", Text(mount, "mountPath"));
        var volume = Assert.Single(Items(workload, "spec", "template", "spec", "volumes"), v => Text(v, "name") == "tls");
        Assert.Equal($"{FullName}-tls", Text(volume, "secret", "secretName"));

        var dev = Environment(Container(Single(await TemplateAsync("values-dev.yaml"), "Deployment", $"{FullName}-{component}")));
        Assert.DoesNotContain("Farm__Tls__CertificatePath", dev.Keys);
    }

    [Fact]
    public async Task ARedisPasswordSecretReachesSilosAndGateways()
    {
        var (exit, yaml, stderr) = await TemplateTextAsync("", "--set", "redis.passwordSecret=redis-auth");
        Assert.True(exit == 0, stderr);
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var objects = stream.Documents.Select(d => d.RootNode).OfType<YamlMappingNode>().ToList();
        foreach (var component in new[] { "silo", "gateway" })
        {
            var env = Environment(Container(Single(objects, "Deployment", $"{FullName}-{component}")));
            Assert.Equal("redis-auth", Text(env["Farm__RedisPassword"], "valueFrom", "secretKeyRef", "name"));
        }
        Assert.DoesNotContain("Farm__RedisPassword", Environment(Container(Single(await TemplateAsync(""), "Deployment", $"{FullName}-silo"))).Keys);
    }

    private static List<string> Ports(YamlNode rule) => Items(rule, "ports").Select(p => Text(p, "port")!).ToList();
}
