using System.Text.Json;
using System.Text.RegularExpressions;

namespace VideoDiffusion.Farm.Cluster.Tests.Telemetry;

/// <summary>
/// The PromQL of every dashboard panel in infra/grafana/dashboards and of every recording rule in
/// infra/prometheus/rules, made runnable outside Grafana: template variables match everything, interval macros get
/// fixed spans.
/// </summary>
public static partial class GrafanaDashboards
{
    public static string Folder => Path.Combine(RepositoryPaths.Root, "infra", "grafana", "dashboards");

    /// <summary>Series that exist only where a GPU and its driver are: DCGM exporter and NVML metrics.</summary>
    public static bool NeedsGpu(string expression) => expression.Contains("DCGM_", StringComparison.Ordinal) || expression.Contains("hw_gpu_", StringComparison.Ordinal);

    /// <summary>(where, expression) of every panel target.</summary>
    public static IEnumerable<(string Where, string Expression)> PanelExpressions()
    {
        foreach (var file in Directory.GetFiles(Folder, "*.json").Order())
        {
            using var document = JsonDocument.Parse(File.ReadAllText(file));
            foreach (var (title, expression) in Targets(document.RootElement))
            {
                yield return ($"{Path.GetFileName(file)}: {title}", Runnable(expression));
            }
        }
    }

    /// <summary>(record name, expression) of every recording rule.</summary>
    public static IEnumerable<(string Where, string Expression)> RecordingRules()
    {
        foreach (var file in Directory.GetFiles(TelemetryCluster.RulesFolder, "*.yml").Order())
        {
            var yaml = new YamlDotNet.RepresentationModel.YamlStream();
            using (var reader = new StringReader(File.ReadAllText(file)))
            {
                yaml.Load(reader);
            }
            var root = (YamlDotNet.RepresentationModel.YamlMappingNode)yaml.Documents[0].RootNode;
            foreach (var group in (YamlDotNet.RepresentationModel.YamlSequenceNode)root["groups"])
            {
                foreach (var rule in (YamlDotNet.RepresentationModel.YamlSequenceNode)((YamlDotNet.RepresentationModel.YamlMappingNode)group)["rules"])
                {
                    var map = (YamlDotNet.RepresentationModel.YamlMappingNode)rule;
                    if (map.Children.TryGetValue("record", out var record))
                    {
                        yield return ($"{Path.GetFileName(file)}: {record}", map["expr"].ToString());
                    }
                }
            }
        }
    }

    private static IEnumerable<(string Title, string Expression)> Targets(JsonElement node)
    {
        if (node.ValueKind != JsonValueKind.Object)
        {
            yield break;
        }
        if (node.TryGetProperty("targets", out var targets) && targets.ValueKind == JsonValueKind.Array)
        {
            var title = node.TryGetProperty("title", out var t) ? t.GetString() ?? "" : "";
            foreach (var target in targets.EnumerateArray())
            {
                if (target.TryGetProperty("expr", out var expr) && expr.GetString() is { Length: > 0 } text)
                {
                    yield return (title, text);
                }
            }
        }
        if (node.TryGetProperty("panels", out var panels) && panels.ValueKind == JsonValueKind.Array)
        {
            foreach (var panel in panels.EnumerateArray())
            {
                foreach (var found in Targets(panel))
                {
                    yield return found;
                }
            }
        }
    }

    /// <summary>Grafana's variables as a query with every option selected would see them.</summary>
    public static string Runnable(string expression)
    {
        var text = expression.Replace("$__rate_interval", "1m").Replace("${__rate_interval}", "1m")
            .Replace("$__interval", "15s").Replace("${__interval}", "15s").Replace("$__range", "5m").Replace("${__range}", "5m");
        text = EqualsVariable().Replace(text, m => $"{m.Groups[1].Value}=~\".*\"");
        return Variable().Replace(text, ".*");
    }

    [GeneratedRegex(@"(\w+)\s*=~?\s*""\$\{?\w+(?::\w+)?\}?""")]
    private static partial Regex EqualsVariable();

    [GeneratedRegex(@"\$\{?\w+(?::\w+)?\}?")]
    private static partial Regex Variable();
}
