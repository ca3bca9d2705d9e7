using System.Text.Json;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace VideoDiffusion.Farm.Tests.Shared;

/// <summary>
/// Reads every PromQL expression of the repository's Grafana dashboards (panel targets) and Prometheus recording rules,
/// so tests can run each one through a real Prometheus. Grafana's variables are replaced by what a query over the whole
/// farm would use: <c>$__rate_interval</c> → 1m, <c>$__interval</c> → 15s, <c>$__range</c> → 1h, and each template
/// variable (the dashboards filter with <c>=~"$silo"</c>) by its "All" value, <c>.*</c>.
/// </summary>
public static partial class PrometheusExpressions
{
    /// <summary>Grafana's built-in variables and the values queries are run with.</summary>
    public static readonly IReadOnlyDictionary<string, string> BuiltInVariables = new Dictionary<string, string>
    {
        ["__rate_interval"] = "1m",
        ["__interval"] = "15s",
        ["__range"] = "1h",
    };

    public static string DashboardsDirectory => Path.Combine(RepositoryPaths.Root, "infra", "grafana", "dashboards");

    /// <summary>Every dashboard's targets, then every recording rule, in file order.</summary>
    public static IReadOnlyList<PrometheusExpression> FromRepository() =>
    [
        .. Directory.GetFiles(DashboardsDirectory, "*.json").Order(StringComparer.Ordinal).SelectMany(FromDashboard),
        .. Directory.GetFiles(PrometheusServer.RulesDirectory, "*.yml").Order(StringComparer.Ordinal).SelectMany(FromRuleFile),
    ];

    /// <summary>The <c>expr</c> of every panel target (rows' nested panels included), variables replaced.</summary>
    public static IReadOnlyList<PrometheusExpression> FromDashboard(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var root = document.RootElement;
        var variables = new Dictionary<string, string>(BuiltInVariables);
        if (root.TryGetProperty("templating", out var templating) && templating.TryGetProperty("list", out var list))
        {
            foreach (var variable in list.EnumerateArray())
            {
                var name = variable.GetProperty("name").GetString()!;
                var allValue = variable.TryGetProperty("allValue", out var all) && all.ValueKind == JsonValueKind.String ? all.GetString()! : ".*";
                variables[name] = allValue;
            }
        }
        var file = Relative(path);
        var dashboard = root.TryGetProperty("title", out var title) ? title.GetString() ?? file : file;
        var found = new List<PrometheusExpression>();
        foreach (var panel in Panels(root))
        {
            if (!panel.TryGetProperty("targets", out var targets))
            {
                continue;
            }
            var panelTitle = panel.TryGetProperty("title", out var t) ? t.GetString() : "";
            foreach (var target in targets.EnumerateArray())
            {
                if (!target.TryGetProperty("expr", out var expr) || string.IsNullOrWhiteSpace(expr.GetString()))
                {
                    continue;
                }
                var refId = target.TryGetProperty("refId", out var r) ? r.GetString() : "?";
                var source = $"{file}: {dashboard} / {panelTitle} / {refId}";
                found.Add(Describe(source, Substitute(expr.GetString()!, variables, source)));
            }
        }
        return found;
    }

    /// <summary>The <c>expr</c> of every recording rule (alerts are left out: they return nothing while all is well).</summary>
    public static IReadOnlyList<PrometheusExpression> FromRuleFile(string path)
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(path))
        {
            stream.Load(reader);
        }
        var file = Relative(path);
        var found = new List<PrometheusExpression>();
        var groups = (YamlSequenceNode)((YamlMappingNode)stream.Documents[0].RootNode).Children["groups"];
        foreach (var group in groups.Cast<YamlMappingNode>())
        {
            foreach (var rule in ((YamlSequenceNode)group.Children["rules"]).Cast<YamlMappingNode>())
            {
                if (rule.Children.TryGetValue("record", out var record))
                {
                    var expr = ((YamlScalarNode)rule.Children["expr"]).Value!.Trim();
                    found.Add(Describe($"{file}: {((YamlScalarNode)record).Value}", expr));
                }
            }
        }
        return found;
    }

    /// <summary>
    /// Replaces <c>$name</c>, <c>${name}</c> and <c>[[name]]</c> by the variable's value; a variable the dashboard does
    /// not define is an error (a typo would otherwise reach Prometheus as a parse error far from its cause).
    /// </summary>
    public static string Substitute(string expr, IReadOnlyDictionary<string, string> variables, string source = "") =>
        VariableReference().Replace(expr, match =>
        {
            var name = match.Groups["braced"].Success ? match.Groups["braced"].Value
                : match.Groups["bracketed"].Success ? match.Groups["bracketed"].Value
                : match.Groups["plain"].Value;
            return variables.TryGetValue(name, out var value)
                ? value
                : throw new InvalidOperationException($"{source}: unknown Grafana variable '{match.Value}' in {expr}");
        });

    /// <summary>
    /// Marks expressions over series that a quiet CPU farm does not have: GPU readings (DCGM exporter, NVML's
    /// <c>hw_gpu_*</c>) and the gauges of running jobs, which disappear when no job runs.
    /// </summary>
    public static PrometheusExpression Describe(string source, string expr) =>
        new(source, expr, GpuOnly: GpuMetric().IsMatch(expr), RunningJobsOnly: RunningJobMetric().IsMatch(expr));

    /// <summary>Every panel of a dashboard, the panels of collapsed rows included.</summary>
    public static IEnumerable<JsonElement> Panels(JsonElement container)
    {
        if (!container.TryGetProperty("panels", out var panels))
        {
            yield break;
        }
        foreach (var panel in panels.EnumerateArray())
        {
            yield return panel;
            foreach (var nested in Panels(panel))
            {
                yield return nested;
            }
        }
    }

    private static string Relative(string path) => Path.GetRelativePath(RepositoryPaths.Root, path).Replace('\\', '/');

    [GeneratedRegex(@"\$\{(?<braced>[A-Za-z_][A-Za-z0-9_]*)(?::[a-z]+)?\}|\[\[(?<bracketed>[A-Za-z_][A-Za-z0-9_]*)\]\]|\$(?<plain>[A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex VariableReference();

    [GeneratedRegex(@"\bDCGM_[A-Z0-9_]+|hw_gpu_")]
    private static partial Regex GpuMetric();

    [GeneratedRegex(@"\bfarm_job_(progress_ratio|eta_seconds)\b")]
    private static partial Regex RunningJobMetric();
}

/// <summary>
/// A PromQL expression found in the repository: where (file, dashboard / panel / target or rule name), the query
/// ready for Prometheus, and whether it may rightly return nothing (GPU machines only; only while a job runs).
/// </summary>
public sealed record PrometheusExpression(string Source, string Expr, bool GpuOnly, bool RunningJobsOnly)
{
    /// <summary>Whether a farm without GPUs and between jobs must still return at least one series for it.</summary>
    public bool AlwaysHasSeries => !GpuOnly && !RunningJobsOnly;

    public override string ToString() => $"{Source}: {Expr}";
}
