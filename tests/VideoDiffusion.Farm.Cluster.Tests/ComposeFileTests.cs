using System.Reflection;
using VideoDiffusion.Farm.Abstractions.Hosting;
using VideoDiffusion.Farm.Grains.Execution;
using VideoDiffusion.Farm.Artifacts;
using YamlDotNet.RepresentationModel;

namespace VideoDiffusion.Farm.Cluster.Tests;

/// <summary>
/// docker-compose.yml cannot be started here (no Docker engine), so it is kept honest by reading: it parses, names the
/// services cluster mode and its monitoring need, its Dockerfiles and mounted paths exist, Prometheus scrapes the
/// silos on the port they serve metrics on, and every Farm__ variable it sets is a setting the silo or the gateway
/// binds.
/// </summary>
public sealed class ComposeFileTests
{
    private static readonly string[] Files = ["docker-compose.yml", "docker-compose.gpu.yml"];

    [Fact]
    public void ComposeFilesParseAndNameTheClusterServices()
    {
        var services = Services("docker-compose.yml");
        foreach (var name in new[] { "redis", "azurite", "silo-1", "silo-2", "gateway", "prometheus", "grafana" })
        {
            Assert.True(services.Children.ContainsKey(name), $"docker-compose.yml has no service '{name}'");
        }
        var gpu = Services("docker-compose.gpu.yml");
        Assert.Contains("driver: nvidia", File.ReadAllText(Path.Combine(RepositoryPaths.Root, "docker-compose.gpu.yml")));
        Assert.All(gpu.Children.Keys.Select(k => ((YamlScalarNode)k).Value!), name => Assert.Contains(name, services.Children.Keys.Select(k => ((YamlScalarNode)k).Value)));
    }

    [Fact]
    public void EveryDockerfileNamedExists()
    {
        foreach (var (file, service, build) in ServiceEntries<YamlMappingNode>("build"))
        {
            if (build.Children.TryGetValue("dockerfile", out var dockerfile))
            {
                var path = Path.Combine(RepositoryPaths.Root, ((YamlScalarNode)dockerfile).Value!);
                Assert.True(File.Exists(path), $"{file}: service {service} names {path}, which does not exist");
            }
        }
    }

    [Fact]
    public void EveryMountedPathExists()
    {
        var mounts = 0;
        foreach (var (file, service, volumes) in ServiceEntries<YamlSequenceNode>("volumes"))
        {
            foreach (var volume in volumes.OfType<YamlScalarNode>().Select(v => v.Value!))
            {
                var source = volume.Split(':')[0];
                if (!source.StartsWith('.'))
                {
                    continue; // a named volume
                }
                var path = Path.GetFullPath(Path.Combine(RepositoryPaths.Root, source));
                Assert.True(Directory.Exists(path) || File.Exists(path), $"{file}: service {service} mounts {source}, which does not exist");
                mounts++;
            }
        }
        Assert.True(mounts >= 3, $"only {mounts} mounted paths");
    }

    [Fact]
    public void PrometheusAndGrafanaAreWiredToTheFarm()
    {
        var services = ServiceNodes("docker-compose.yml").ToDictionary(s => s.Name, s => s.Node);
        string Scalar(YamlNode node) => ((YamlScalarNode)node).Value!;
        IEnumerable<string> Sequence(YamlMappingNode service, string key) =>
            service.Children.TryGetValue(key, out var node) ? ((YamlSequenceNode)node).Select(Scalar) : [];
        YamlMappingNode Environment(YamlMappingNode service) => (YamlMappingNode)service.Children["environment"];

        var prometheus = services["prometheus"];
        Assert.StartsWith("prom/prometheus", Scalar(prometheus.Children["image"]), StringComparison.Ordinal);
        Assert.Contains("9090:9090", Sequence(prometheus, "ports"));
        Assert.Contains("./infra/prometheus:/etc/prometheus:ro", Sequence(prometheus, "volumes"));
        Assert.Contains("--config.file=/etc/prometheus/prometheus.yml", Sequence(prometheus, "command"));

        var grafana = services["grafana"];
        Assert.StartsWith("grafana/grafana", Scalar(grafana.Children["image"]), StringComparison.Ordinal);
        Assert.Contains("3000:3000", Sequence(grafana, "ports"));
        Assert.Contains(Sequence(grafana, "volumes"), v => v.StartsWith("./infra/grafana/provisioning:/etc/grafana/provisioning", StringComparison.Ordinal));
        Assert.Contains(Sequence(grafana, "volumes"), v => v.StartsWith("./infra/grafana/dashboards:/var/lib/grafana/dashboards/farm", StringComparison.Ordinal));
        Assert.Equal("true", Scalar(Environment(grafana).Children["GF_AUTH_ANONYMOUS_ENABLED"]));
        Assert.Equal("Viewer", Scalar(Environment(grafana).Children["GF_AUTH_ANONYMOUS_ORG_ROLE"]));
        var provisioning = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "infra", "grafana", "provisioning", "dashboards", "farm.yml"));
        Assert.Contains("path: /var/lib/grafana/dashboards/farm", provisioning);
        var datasource = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "infra", "grafana", "provisioning", "datasources", "prometheus.yml"));
        Assert.Contains("url: http://prometheus:9090", datasource);

        // Prometheus scrapes each silo on the metrics port the silo is told to serve, and the gateway on its HTTP port
        var scrape = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "infra", "prometheus", "prometheus.yml"));
        foreach (var silo in new[] { "silo-1", "silo-2" })
        {
            var port = Scalar(Environment(services[silo]).Children["Farm__Telemetry__MetricsPort"]);
            Assert.Contains($"\"{silo}:{port}\"", scrape);
        }
        Assert.Contains("\"gateway:8080\"", scrape);
        Assert.Contains("8080:8080", Sequence(services["gateway"], "ports"));
    }

    [Fact]
    public void EveryFarmVariableIsASettingTheProcessesRead()
    {
        var checkedCount = 0;
        foreach (var (file, service, variables) in ServiceEntries<YamlMappingNode>("environment"))
        {
            foreach (var key in variables.Children.Keys.Select(k => ((YamlScalarNode)k).Value!).Where(k => k.StartsWith("Farm__", StringComparison.Ordinal)))
            {
                Assert.True(Helm.FarmSettingBinding.Binds(key), $"{file}: service {service} sets {key}, which no options class binds");
                checkedCount++;
            }
        }
        Assert.True(checkedCount > 20, $"only {checkedCount} variables checked");
    }

    private static YamlMappingNode Load(string file)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(Path.Combine(RepositoryPaths.Root, file));
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static YamlMappingNode Services(string file) => (YamlMappingNode)Load(file).Children["services"];

    /// <summary>Each service with YAML merge keys (<c>&lt;&lt;: *anchor</c>) applied, as compose applies them.</summary>
    private static IEnumerable<(string Name, YamlMappingNode Node)> ServiceNodes(string file) =>
        Services(file).Children.Select(c => (((YamlScalarNode)c.Key).Value!, Merge((YamlMappingNode)c.Value)));

    /// <summary>Every service of both compose files that sets <paramref name="key"/> to a node of type <typeparamref name="T"/>, with that node.</summary>
    private static IEnumerable<(string File, string Service, T Node)> ServiceEntries<T>(string key) where T : YamlNode =>
        Files.SelectMany(file => ServiceNodes(file)
            .Select(s => (File: file, Service: s.Name, Node: s.Node.Children.TryGetValue(key, out var value) ? value as T : null))
            .Where(s => s.Node is not null)
            .Select(s => (s.File, s.Service, s.Node!)));

    private static YamlMappingNode Merge(YamlMappingNode node)
    {
        var merged = new YamlMappingNode();
        if (node.Children.TryGetValue(new YamlScalarNode("<<"), out var anchor) && anchor is YamlMappingNode shared)
        {
            foreach (var (key, value) in Merge(shared).Children)
            {
                merged.Children[key] = value;
            }
        }
        foreach (var (key, value) in node.Children.Where(c => c.Key is not YamlScalarNode { Value: "<<" }))
        {
            merged.Children[key] = value is YamlMappingNode mapping ? Merge(mapping) : value; // the service's own keys win
        }
        return merged;
    }
}
