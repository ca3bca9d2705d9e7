using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace VideoDiffusion.Farm.Tests.Shared;

/// <summary>
/// A throwaway Prometheus (Debian's package) on a free loopback port: scrapes the given targets every second, evaluates
/// rule files (the repository's unless told otherwise) every second, keeps its TSDB in a temp folder; killed and
/// removed on dispose. Queries go through its HTTP API.
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable, IDisposable
{
    /// <summary>Scrape job of the silos, as in infra/prometheus/prometheus.yml (the dashboards filter on it).</summary>
    public const string SiloJob = "farm-silo";

    /// <summary>Scrape job of the gateway, as in infra/prometheus/prometheus.yml.</summary>
    public const string GatewayJob = "farm-gateway";

    private readonly ServerProcess _process;
    private readonly string _configDirectory;
    private readonly HttpClient _http;

    private PrometheusServer(ServerProcess process, string configDirectory)
    {
        _process = process;
        _configDirectory = configDirectory;
        _http = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(30) };
    }

    public int Port => _process.Port;

    public Uri Address => new($"http://127.0.0.1:{Port}/");

    public string StandardError => _process.StandardError;

    public static string RulesDirectory => Path.Combine(RepositoryPaths.Root, "infra", "prometheus", "rules");

    /// <summary>Scrapes silos (<c>host:port</c> of their metrics endpoints) and gateways under the farm's job names.</summary>
    public static Task<PrometheusServer> StartAsync(IEnumerable<string> siloTargets, IEnumerable<string> gatewayTargets) =>
        StartAsync(new Dictionary<string, IReadOnlyList<string>>
        {
            [SiloJob] = siloTargets.ToList(),
            [GatewayJob] = gatewayTargets.ToList(),
        });

    /// <param name="scrapeJobs">Scrape job name → <c>host:port</c> targets (path <c>/metrics</c>); a job without targets is left out.</param>
    /// <param name="ruleFiles">Rule files, copied beside the configuration; the repository's (infra/prometheus/rules) when null.</param>
    public static async Task<PrometheusServer> StartAsync(IReadOnlyDictionary<string, IReadOnlyList<string>> scrapeJobs, IEnumerable<string>? ruleFiles = null)
    {
        var executable = ServerProcess.FindExecutable("prometheus", "/usr/bin/prometheus");
        var configDirectory = Directory.CreateTempSubdirectory("farm-prometheus-config-").FullName;
        try
        {
            var rules = (ruleFiles ?? Directory.GetFiles(RulesDirectory, "*.yml").Order(StringComparer.Ordinal)).Select(file =>
            {
                var copy = Path.Combine(configDirectory, Path.GetFileName(file));
                File.Copy(file, copy);
                return copy;
            }).ToList();
            var configFile = Path.Combine(configDirectory, "prometheus.yml");
            await File.WriteAllTextAsync(configFile, Configuration(scrapeJobs, rules));
            // the TSDB goes to "data" in the process's own temp working directory, removed on dispose
            var process = await ServerProcess.StartAsync(
                "prometheus", executable,
                port =>
                [
                    $"--config.file={configFile}",
                    "--storage.tsdb.path=data",
                    $"--web.listen-address=127.0.0.1:{port}",
                    "--storage.tsdb.retention.time=1d",
                    "--log.level=warn",
                ],
                TimeSpan.FromSeconds(60),
                ownWorkingDirectory: true);
            var server = new PrometheusServer(process, configDirectory);
            try
            {
                await server.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));
                return server;
            }
            catch
            {
                server.Dispose(); // also removes the configuration folder
                throw;
            }
        }
        catch (Exception) when (Directory.Exists(configDirectory))
        {
            Directory.Delete(configDirectory, recursive: true);
            throw;
        }
    }

    /// <summary>The generated configuration: 1 s scrapes and rule evaluation, the given rule files.</summary>
    public static string Configuration(IReadOnlyDictionary<string, IReadOnlyList<string>> scrapeJobs, IEnumerable<string> ruleFiles)
    {
        var yaml = new StringBuilder();
        yaml.AppendLine("global:");
        yaml.AppendLine("  scrape_interval: 1s");
        yaml.AppendLine("  scrape_timeout: 1s");
        yaml.AppendLine("  evaluation_interval: 1s");
        yaml.AppendLine("rule_files:");
        foreach (var file in ruleFiles)
        {
            yaml.AppendLine($"  - {Quote(file)}");
        }
        yaml.AppendLine("scrape_configs:");
        foreach (var (job, targets) in scrapeJobs.Where(j => j.Value.Count > 0))
        {
            yaml.AppendLine($"  - job_name: {Quote(job)}");
            yaml.AppendLine("    metrics_path: /metrics");
            yaml.AppendLine("    static_configs:");
            yaml.AppendLine($"      - targets: [{string.Join(", ", targets.Select(Quote))}]");
        }
        return yaml.ToString();
    }

    /// <summary>
    /// Runs an instant query at <paramref name="time"/> (default: now) and returns its series (a scalar result as one
    /// series without labels). Throws <see cref="PrometheusQueryException"/> with Prometheus' error text when the query
    /// fails.
    /// </summary>
    public async Task<IReadOnlyList<PrometheusSample>> QueryAsync(string promql, DateTimeOffset? time = null, CancellationToken cancellationToken = default)
    {
        var form = new Dictionary<string, string> { ["query"] = promql };
        if (time is { } at)
        {
            form["time"] = (at.ToUnixTimeMilliseconds() / 1000.0).ToString("0.###", CultureInfo.InvariantCulture);
        }
        using var response = await _http.PostAsync("api/v1/query", new FormUrlEncodedContent(form), cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        return ParseQueryResponse(promql, (int)response.StatusCode, body);
    }

    /// <summary>The targets' health as Prometheus sees them (job, instance, up).</summary>
    public Task<IReadOnlyList<PrometheusSample>> TargetsUpAsync() => QueryAsync("up");

    /// <summary>Waits until every scrape target has been scraped successfully at least once (health "up").</summary>
    public Task WaitForTargetsUpAsync(TimeSpan timeout) =>
        Poll.UntilAsync(
            async () =>
            {
                using var targets = await _http.GetFromJsonAsync<JsonDocument>("api/v1/targets?state=active")
                    ?? throw new InvalidOperationException("prometheus returned no targets document");
                return targets.RootElement.GetProperty("data").GetProperty("activeTargets").EnumerateArray()
                    .Select(t => (Url: t.GetProperty("scrapeUrl").GetString(), Health: t.GetProperty("health").GetString(), Error: t.GetProperty("lastError").GetString()))
                    .ToList();
            },
            active => active.Count > 0 && active.All(t => t.Health == "up"),
            timeout, TimeSpan.FromMilliseconds(250),
            active => $"prometheus targets not all up after {timeout.TotalSeconds:0} s: {string.Join("; ", active?.Select(t => $"{t.Url} {t.Health} {t.Error}") ?? [])}");

    public void Dispose()
    {
        _http.Dispose();
        _process.Dispose();
        TempFolder.TryDelete(_configDirectory);
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Reads an <c>/api/v1/query</c> answer (vector or scalar; a matrix gives each series' latest sample); an error status throws.</summary>
    public static IReadOnlyList<PrometheusSample> ParseQueryResponse(string promql, int statusCode, string body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            throw new PrometheusQueryException(promql, $"HTTP {statusCode}: {body}");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.GetProperty("status").GetString() != "success")
            {
                var type = root.TryGetProperty("errorType", out var t) ? t.GetString() : "error";
                var error = root.TryGetProperty("error", out var e) ? e.GetString() : body;
                throw new PrometheusQueryException(promql, $"HTTP {statusCode} {type}: {error}");
            }
            var data = root.GetProperty("data");
            var result = data.GetProperty("result");
            switch (data.GetProperty("resultType").GetString())
            {
                case "scalar":
                case "string":
                    return [new PrometheusSample(new Dictionary<string, string>(), Value(result))];
                case "vector":
                    return result.EnumerateArray().Select(s => new PrometheusSample(Labels(s), Value(s.GetProperty("value")))).ToList();
                case "matrix":
                    return result.EnumerateArray().Select(s => new PrometheusSample(Labels(s), Value(s.GetProperty("values").EnumerateArray().Last()))).ToList();
                default:
                    throw new PrometheusQueryException(promql, $"unknown result type in {body}");
            }
        }
    }

    private static Dictionary<string, string> Labels(JsonElement series) =>
        series.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "");

    /// <summary>The value of a <c>[unix seconds, "value"]</c> pair; Prometheus writes NaN, +Inf and -Inf as such.</summary>
    private static double Value(JsonElement pair) => (pair[1].GetString() ?? "NaN") switch
    {
        "NaN" => double.NaN,
        "+Inf" or "Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        var text => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
    };

    private static string Quote(string text) => JsonSerializer.Serialize(text); // a JSON string is a YAML string

    private Task WaitUntilReadyAsync(TimeSpan timeout) =>
        Poll.UntilAsync(
            async () =>
            {
                if (_process.HasExited)
                {
                    throw new InvalidOperationException($"prometheus exited while starting:\n{_process.StandardError}");
                }
                using var response = await _http.GetAsync("-/ready");
                return response.IsSuccessStatusCode;
            },
            ready => ready, timeout, TimeSpan.FromMilliseconds(200),
            _ => $"prometheus not ready after {timeout.TotalSeconds:0} s:\n{_process.StandardError}",
            transient: e => e is HttpRequestException);
}

/// <summary>One series of an instant query: its labels (with <c>__name__</c> when the query keeps it) and value.</summary>
public sealed record PrometheusSample(IReadOnlyDictionary<string, string> Labels, double Value)
{
    public string Label(string name) => Labels.TryGetValue(name, out var value) ? value : "";

    public override string ToString() =>
        "{" + string.Join(", ", Labels.Select(l => $"{l.Key}=\"{l.Value}\"")) + "} " + Value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>A query Prometheus refused or failed, with its error text.</summary>
public sealed class PrometheusQueryException(string promql, string error)
    : InvalidOperationException($"prometheus query failed: {error}\nquery: {promql}")
{
    public string Query { get; } = promql;

    public string Error { get; } = error;
}
