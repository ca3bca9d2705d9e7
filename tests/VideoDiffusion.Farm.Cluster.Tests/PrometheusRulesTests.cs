using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace VideoDiffusion.Farm.Cluster.Tests;

/// <summary>
/// infra/prometheus and infra/grafana kept honest without Grafana or Docker: promtool checks the configuration and rule
/// files and runs their unit tests; every rule and alert is exercised by a unit test; every dashboard parses, has a
/// stable uid, takes its data source from the <c>${datasource}</c> variable and queries something; and every dashboard
/// and recording-rule expression is accepted by a real Prometheus.
/// </summary>
public sealed partial class PrometheusRulesTests
{
    private static string PrometheusDirectory => Path.Combine(RepositoryPaths.Root, "infra", "prometheus");

    private static string[] RuleFiles => Directory.GetFiles(Path.Combine(PrometheusDirectory, "rules"), "*.yml").Order(StringComparer.Ordinal).ToArray();

    private static string[] RuleTestFiles => Directory.GetFiles(Path.Combine(PrometheusDirectory, "tests"), "*.test.yml").Order(StringComparer.Ordinal).ToArray();

    private static string[] DashboardFiles => Directory.GetFiles(PrometheusExpressions.DashboardsDirectory, "*.json").Order(StringComparer.Ordinal).ToArray();

    [Fact]
    public async Task PromtoolAcceptsTheConfiguration() =>
        await PromtoolAsync("check", "config", Path.Combine(PrometheusDirectory, "prometheus.yml"));

    [Fact]
    public async Task PromtoolAcceptsEveryRuleFile()
    {
        Assert.NotEmpty(RuleFiles);
        foreach (var file in RuleFiles)
        {
            await PromtoolAsync("check", "rules", file);
        }
    }

    [Fact]
    public async Task EveryRuleUnitTestPasses()
    {
        Assert.NotEmpty(RuleTestFiles);
        foreach (var file in RuleTestFiles)
        {
            await PromtoolAsync("test", "rules", file);
        }
    }

    [Fact]
    public void EveryRuleFileAndEveryRuleHasAUnitTest()
    {
        var tests = RuleTestFiles.Select(f => (File: f, Yaml: Load(f), Text: File.ReadAllText(f))).ToList();
        var tested = tests.SelectMany(t => ((YamlSequenceNode)t.Yaml.Children["rule_files"]).Select(n =>
            Path.GetFullPath(Path.Combine(Path.GetDirectoryName(t.File)!, ((YamlScalarNode)n).Value!)))).ToHashSet();
        var everyTest = string.Join('\n', tests.Select(t => t.Text));
        foreach (var file in RuleFiles)
        {
            Assert.True(tested.Contains(Path.GetFullPath(file)), $"{file} is named by no rule_files of infra/prometheus/tests/*.test.yml");
            foreach (var rule in Rules(file))
            {
                if (rule.Children.TryGetValue("record", out var record))
                {
                    var name = ((YamlScalarNode)record).Value!;
                    Assert.True(Regex.IsMatch(everyTest, $@"expr:\s*{Regex.Escape(name)}\s*$", RegexOptions.Multiline),
                        $"recording rule {name} ({file}) is not evaluated by any promql_expr_test");
                }
                else
                {
                    var name = ((YamlScalarNode)rule.Children["alert"]).Value!;
                    var cases = Regex.Matches(everyTest, $@"alertname:\s*{Regex.Escape(name)}\s*\n\s*exp_alerts:\s*(?<none>\[\])?").ToList();
                    Assert.True(cases.Any(c => !c.Groups["none"].Success), $"alert {name} ({file}) is never tested firing");
                    Assert.True(cases.Any(c => c.Groups["none"].Success), $"alert {name} ({file}) is never tested not firing");
                }
            }
        }
    }

    [Fact]
    public void EveryDashboardHasAStableUidTheDatasourceVariableAndQueries()
    {
        Assert.NotEmpty(DashboardFiles);
        var uids = new HashSet<string>();
        foreach (var file in DashboardFiles)
        {
            using var document = JsonDocument.Parse(File.ReadAllText(file));
            var root = document.RootElement;
            var uid = root.GetProperty("uid").GetString() ?? "";
            Assert.Matches(StableUid(), uid);
            Assert.True(uid.Length <= 40, $"{file}: uid {uid} is longer than Grafana's 40 characters");
            Assert.True(uids.Add(uid), $"{file}: uid {uid} is used by another dashboard");
            Assert.False(string.IsNullOrWhiteSpace(root.GetProperty("title").GetString()), $"{file} has no title");
            var variables = root.GetProperty("templating").GetProperty("list").EnumerateArray().ToList();
            Assert.Contains(variables, v => v.GetProperty("name").GetString() == "datasource" && v.GetProperty("type").GetString() == "datasource");
            var panels = PrometheusExpressions.Panels(root).Where(p => p.GetProperty("type").GetString() != "row").ToList();
            Assert.NotEmpty(panels);
            foreach (var panel in panels)
            {
                var title = panel.GetProperty("title").GetString();
                Assert.True(UsesDatasourceVariable(panel), $"{file}: panel '{title}' does not take its data source from ${{datasource}}");
                var targets = panel.TryGetProperty("targets", out var t) ? t.EnumerateArray().ToList() : [];
                Assert.True(targets.Any(x => x.TryGetProperty("expr", out var e) && !string.IsNullOrWhiteSpace(e.GetString())),
                    $"{file}: panel '{title}' has no target expression");
                Assert.All(targets, x => Assert.True(!x.TryGetProperty("datasource", out _) || UsesDatasourceVariable(x),
                    $"{file}: a target of panel '{title}' names its own data source"));
                Assert.True(panel.TryGetProperty("gridPos", out _), $"{file}: panel '{title}' has no gridPos");
            }
            var ids = panels.Select(p => p.GetProperty("id").GetInt32()).ToList();
            Assert.Equal(ids.Count, ids.Distinct().Count());
        }
    }

    [Fact]
    public void ExpressionsAreFoundWithVariablesReplacedAndGpuOnesMarked()
    {
        var expressions = PrometheusExpressions.FromRepository();
        Assert.All(expressions, e => Assert.DoesNotContain("$", e.Expr.Replace("\"$1\"", "", StringComparison.Ordinal)));
        Assert.Contains(expressions, e => e.Source.Contains("farm:queued_window_steps_per_slot", StringComparison.Ordinal));
        Assert.Contains(expressions, e => e.Expr.Contains("silo=~\".*\"", StringComparison.Ordinal));
        Assert.Contains(expressions, e => e.Expr.Contains("[1m]", StringComparison.Ordinal));
        foreach (var gpu in new[] { "DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_DEV_FB_USED", "hw_gpu_memory_usage_bytes" })
        {
            Assert.Contains(expressions, e => e.GpuOnly && e.Expr.Contains(gpu, StringComparison.Ordinal));
        }
        Assert.Contains(expressions, e => e.RunningJobsOnly && e.Expr.Contains("farm_job_eta_seconds", StringComparison.Ordinal));
        Assert.DoesNotContain(expressions, e => e.GpuOnly && e.Expr.Contains("farm_", StringComparison.Ordinal));
        Assert.True(expressions.Count(e => e.AlwaysHasSeries) > 30, $"only {expressions.Count(e => e.AlwaysHasSeries)} expressions");
        Assert.Equal("rate(x{silo=~\".*\"}[1m]) [1h] 15s", PrometheusExpressions.Substitute(
            "rate(x{silo=~\"$silo\"}[$__rate_interval]) [${__range}] [[__interval]]",
            new Dictionary<string, string>(PrometheusExpressions.BuiltInVariables) { ["silo"] = ".*" }));
        Assert.Throws<InvalidOperationException>(() => PrometheusExpressions.Substitute("x{a=~\"$nope\"}", PrometheusExpressions.BuiltInVariables));
    }

    [Fact]
    public async Task PrometheusAcceptsEveryExpressionAndAnswersQueries()
    {
        // no farm and no targets here: the point is that this Prometheus (Debian's 2.42) parses and runs every
        // expression; whether they return series is for the live cluster test
        await using var prometheus = await PrometheusServer.StartAsync(new Dictionary<string, IReadOnlyList<string>>());
        var failures = new List<string>();
        foreach (var expression in PrometheusExpressions.FromRepository())
        {
            try
            {
                await prometheus.QueryAsync(expression.Expr);
            }
            catch (PrometheusQueryException e)
            {
                failures.Add($"{expression.Source}: {e.Error}\n    {expression.Expr}");
            }
        }
        Assert.True(failures.Count == 0, "Prometheus refused:\n" + string.Join('\n', failures));

        var scalar = Assert.Single(await prometheus.QueryAsync("1 + 1"));
        Assert.Equal(2, scalar.Value);
        var zero = Assert.Single(await prometheus.QueryAsync("farm:queued_window_steps_per_slot or vector(0)"));
        Assert.Equal(0, zero.Value);
        var error = await Assert.ThrowsAsync<PrometheusQueryException>(() => prometheus.QueryAsync("sum(rate(x[1m])"));
        Assert.Contains("parse error", error.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PrometheusScrapesItsTargetsAndEvaluatesTheRepositoryRules()
    {
        // a second Prometheus scrapes the first as a "silo": targets come up, and the rule files are loaded
        await using var scraped = await PrometheusServer.StartAsync(new Dictionary<string, IReadOnlyList<string>>());
        await using var prometheus = await PrometheusServer.StartAsync([$"127.0.0.1:{scraped.Port}"], []);
        await prometheus.WaitForTargetsUpAsync(TimeSpan.FromSeconds(30));
        var up = Assert.Single(await prometheus.QueryAsync($"up{{job=\"{PrometheusServer.SiloJob}\"}}"));
        Assert.Equal(1, up.Value);
        Assert.Equal($"127.0.0.1:{scraped.Port}", up.Label("instance"));
        var clock = Stopwatch.StartNew();
        while ((await prometheus.QueryAsync("farm:window_resumes:increase5m")).Count == 0)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "recording rules were not evaluated within 30 s:\n" + prometheus.StandardError);
            await Task.Delay(250);
        }
    }

    /// <summary>Runs promtool; a non-zero exit fails the test with everything promtool said.</summary>
    private static async Task PromtoolAsync(params string[] arguments)
    {
        var result = await ToolProcess.RunAsync(ServerProcess.FindExecutable("promtool", "/usr/bin/promtool"), arguments);
        Assert.True(result.ExitCode == 0, $"promtool {string.Join(' ', arguments)}: {result}");
    }

    private static bool UsesDatasourceVariable(JsonElement element) =>
        element.TryGetProperty("datasource", out var datasource) && datasource.ValueKind == JsonValueKind.Object
        && datasource.TryGetProperty("uid", out var uid) && uid.GetString() == "${datasource}";

    private static YamlMappingNode Load(string file)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(file);
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static IEnumerable<YamlMappingNode> Rules(string file) =>
        ((YamlSequenceNode)Load(file).Children["groups"]).Cast<YamlMappingNode>()
            .SelectMany(g => ((YamlSequenceNode)g.Children["rules"]).Cast<YamlMappingNode>());

    /// <summary>Lower-case words joined by dashes: written by hand, not generated by Grafana.</summary>
    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex StableUid();
}
