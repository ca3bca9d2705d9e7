using System.Diagnostics;
using YamlDotNet.RepresentationModel;

namespace VideoDiffusion.Farm.Cluster.Tests.Helm;

/// <summary>
/// charts/videodiffusion-farm driven by the real helm binary (tools/helm/helm, installed by tools/prereqs.sh test) and
/// its rendered objects checked by tools/node/validate-manifests.mjs against the kubernetes-models schemas.
/// </summary>
public static class HelmChart
{
    /// <summary>The value sets the chart is rendered with: defaults (GPU), development, a GPU node pool, autoscaling, every gateway setting.</summary>
    public static readonly string[] ValueSets = ["", "values-dev.yaml", "ci/gpu-values.yaml", "ci/autoscaling-values.yaml", SettingsValues];

    /// <summary>The value set that moves every gateway and retention setting away from its default.</summary>
    public const string SettingsValues = "ci/settings-values.yaml";

    public const string Release = "farm";

    public static string ChartDirectory => Path.Combine(RepositoryPaths.Root, "charts", "videodiffusion-farm");

    public static string Helm => ServerProcess.FindExecutable("helm", Path.Combine(RepositoryPaths.Root, "tools", "helm", "helm"));

    /// <summary>The release's base name the templates give objects.</summary>
    public static string FullName => $"{Release}-videodiffusion-farm";

    public static Task<ToolResult> LintAsync(string valueSet, params string[] extra) =>
        ToolProcess.RunAsync(Helm, ["lint", ChartDirectory, .. ValuesArguments(valueSet), .. extra]);

    public static Task<ToolResult> TemplateTextAsync(string valueSet, params string[] extra) =>
        ToolProcess.RunAsync(Helm, ["template", Release, ChartDirectory, "--namespace", "render", .. ValuesArguments(valueSet), .. extra]);

    /// <summary>The objects <c>helm template</c> renders with <paramref name="valueSet"/>; fails the test if it does not render.</summary>
    public static async Task<IReadOnlyList<YamlMappingNode>> TemplateAsync(string valueSet)
    {
        var (exit, stdout, stderr) = await TemplateTextAsync(valueSet);
        Assert.True(exit == 0, $"helm template ({Describe(valueSet)}) exited with {exit}:\n{stderr}");
        var stream = new YamlStream();
        stream.Load(new StringReader(stdout));
        return stream.Documents.Select(d => d.RootNode).OfType<YamlMappingNode>().ToList();
    }

    /// <summary>Runs the schema validator over a YAML stream: its exit code and output.</summary>
    public static Task<ToolResult> ValidateAsync(string yaml) =>
        ToolProcess.RunAsync(ServerProcess.FindExecutable("node", "/usr/bin/node"), [Path.Combine(RepositoryPaths.Root, "tools", "node", "validate-manifests.mjs")], yaml);

    public static string Describe(string valueSet) => valueSet.Length == 0 ? "default values" : valueSet;

    /// <summary>The single object of <paramref name="kind"/> named <paramref name="name"/>.</summary>
    public static YamlMappingNode Single(IEnumerable<YamlMappingNode> objects, string kind, string name) =>
        Assert.Single(objects, o => Text(o, "kind") == kind && Text(o, "metadata", "name") == name);

    /// <summary>The node at a path of mapping keys and sequence indexes, or null.</summary>
    public static YamlNode? At(YamlNode node, params object[] path)
    {
        YamlNode? current = node;
        foreach (var part in path)
        {
            current = (current, part) switch
            {
                (YamlMappingNode m, string key) => m.Children.TryGetValue(new YamlScalarNode(key), out var child) ? child : null,
                (YamlSequenceNode s, int index) => index < s.Children.Count ? s.Children[index] : null,
                _ => null,
            };
            if (current is null)
            {
                return null;
            }
        }
        return current;
    }

    public static string? Text(YamlNode node, params object[] path) => (At(node, path) as YamlScalarNode)?.Value;

    public static IEnumerable<YamlMappingNode> Items(YamlNode node, params object[] path) =>
        At(node, path) is YamlSequenceNode sequence ? sequence.Children.OfType<YamlMappingNode>() : [];

    /// <summary>The first container of a workload's pod template.</summary>
    public static YamlMappingNode Container(YamlMappingNode workload) => Items(workload, "spec", "template", "spec", "containers").First();

    /// <summary>A container's environment: name to the variable's node (value or valueFrom).</summary>
    public static Dictionary<string, YamlMappingNode> Environment(YamlMappingNode container) =>
        Items(container, "env").ToDictionary(e => Text(e, "name")!, e => e);

    private static string[] ValuesArguments(string valueSet) => valueSet.Length == 0 ? [] : ["-f", Path.Combine(ChartDirectory, valueSet)];
}
