using System.Reflection;
using VideoDiffusion.Farm.Abstractions.Hosting;
using VideoDiffusion.Farm.Grains.Execution;
using VideoDiffusion.Farm.Media.Artifacts;
using YamlDotNet.RepresentationModel;

namespace VideoDiffusion.Farm.Cluster.Tests;

/// <summary>
/// docker-compose.yml cannot be started here (no Docker engine), so it is kept honest by reading: it parses, names the
/// services cluster mode needs, its Dockerfiles exist, and every Farm__ variable it sets is a setting the silo or the
/// gateway binds.
/// </summary>
public sealed class ComposeFileTests
{
    private static readonly string[] Files = ["docker-compose.yml", "docker-compose.gpu.yml"];

    [Fact]
    public void ComposeFilesParseAndNameTheClusterServices()
    {
        var services = Services("docker-compose.yml");
        foreach (var name in new[] { "redis", "azurite", "silo-1", "silo-2", "gateway" })
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
        foreach (var file in Files)
        {
            foreach (var (service, node) in ServiceNodes(file))
            {
                if (node.Children.TryGetValue("build", out var build) && build is YamlMappingNode b && b.Children.TryGetValue("dockerfile", out var dockerfile))
                {
                    var path = Path.Combine(RepositoryPaths.Root, ((YamlScalarNode)dockerfile).Value!);
                    Assert.True(File.Exists(path), $"{file}: service {service} names {path}, which does not exist");
                }
            }
        }
    }

    [Fact]
    public void EveryFarmVariableIsASettingTheProcessesRead()
    {
        var sections = new Dictionary<string, Type>
        {
            ["Artifacts"] = typeof(ArtifactStoreOptions),
            ["Accelerator"] = typeof(AcceleratorOptions),
            ["Membership"] = typeof(Orleans.Configuration.ClusterMembershipOptions),
            ["Gateway"] = typeof(GatewayOptions),
        };
        var checkedCount = 0;
        foreach (var file in Files)
        {
            foreach (var (service, node) in ServiceNodes(file))
            {
                if (!node.Children.TryGetValue("environment", out var environment) || environment is not YamlMappingNode variables)
                {
                    continue;
                }
                foreach (var key in variables.Children.Keys.Select(k => ((YamlScalarNode)k).Value!).Where(k => k.StartsWith("Farm__", StringComparison.Ordinal)))
                {
                    var path = key.Split("__")[1..];
                    var type = path.Length > 1 && sections.TryGetValue(path[0], out var section) ? section : typeof(FarmClusterOptions);
                    var rest = path.Length > 1 && sections.ContainsKey(path[0]) ? path[1..] : path;
                    Assert.True(Binds(type, rest), $"{file}: service {service} sets {key}, which no options class binds");
                    checkedCount++;
                }
            }
        }
        Assert.True(checkedCount > 20, $"only {checkedCount} variables checked");
    }

    /// <summary>Whether the property path (numeric parts index lists) exists on <paramref name="type"/>.</summary>
    private static bool Binds(Type type, string[] path)
    {
        foreach (var part in path)
        {
            if (int.TryParse(part, out _) && type.IsGenericType)
            {
                type = type.GetGenericArguments()[0];
                continue;
            }
            var property = type.GetProperty(part, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
            if (property is null || !property.CanWrite)
            {
                return false;
            }
            type = property.PropertyType;
        }
        return true;
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
