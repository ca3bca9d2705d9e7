using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace VideoDiffusion.Farm.Tests.Shared;

/// <summary>
/// A throwaway Prometheus (Debian's package) on a free loopback port: scrapes the given targets every second, evaluates
/// the repository's rule files every second, keeps its TSDB in a temp folder; killed and removed on dispose.
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable, IDisposable
{
    /// <summary>Scrape job of the silos, as in infra/prometheus/prometheus.yml (the dashboards filter on it).</summary>
    public const string SiloJob = "farm-silos";

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

    /// <summary>Scrapes <c>/metrics</c> of each job's targets (<c>host:port</c>); a job without targets is left out.</summary>
    public static async Task<PrometheusServer> StartAsync(IReadOnlyDictionary<string, IReadOnlyList<string>> scrapeJobs)
    {
        var executable = ServerProcess.FindExecutable("prometheus", "/usr/bin/prometheus");
        var configDirectory = Directory.CreateTempSubdirectory("farm-prometheus-config-").FullName;
        var configFile = Path.Combine(configDirectory, "prometheus.yml");
        await File.WriteAllTextAsync(configFile, Configuration(scrapeJobs));
        try
        {
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

    /// <summary>The generated configuration: 1 s scrapes and rule evaluation, the repository's rule files.</summary>
    public static string Configuration(IReadOnlyDictionary<string, IReadOnlyList<string>> scrapeJobs)
    {
        var yaml = new StringBuilder();
        yaml.AppendLine("global:");
        yaml.AppendLine("  scrape_interval: 1s");
        yaml.AppendLine("  scrape_timeout: 1s");
        yaml.AppendLine("  evaluation_interval: 1s");
        yaml.AppendLine("rule_files:");
        yaml.AppendLine($"  - {Quote(Path.Combine(RulesDirectory, "*.yml"))}");
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
    /// series without labels). Throws with Prometheus' error text when the query fails.
    /// </summary>
    public async Task<IReadOnlyList<PrometheusSeries>> QueryAsync(string promql, DateTimeOffset? time = null, CancellationToken cancellationToken = default)
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

    /// <summary>Waits until every scrape target has been scraped successfully at least once (health "up").</summary>
    public async Task WaitForTargetsUpAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var last = "";
        while (true)
        {
            using var targets = await _http.GetFromJsonAsync<JsonDocument>("api/v1/targets?state=active", cancellationToken)
                ?? throw new InvalidOperationException("prometheus returned no targets document");
            var active = targets.RootElement.GetProperty("data").GetProperty("activeTargets").EnumerateArray().ToList();
            last = string.Join("; ", active.Select(t =>
                $"{t.GetProperty("scrapeUrl").GetString()} {t.GetProperty("health").GetString()} {t.GetProperty("lastError").GetString()}"));
            if (active.Count > 0 && active.All(t => t.GetProperty("health").GetString() == "up"))
            {
                return;
            }
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"prometheus targets not all up after {timeout.TotalSeconds:0} s: {last}");
            }
            await Task.Delay(250, cancellationToken);
        }
    }

    /// <summary>
    /// Every PromQL expression of the repository's dashboards and recording rules, with Grafana's variables replaced
    /// (see <see cref="PrometheusExpressions"/>).
    /// </summary>
    public static IReadOnlyList<PrometheusExpression> RepositoryExpressions() => PrometheusExpressions.FromRepository();

    public void Dispose()
    {
        _http.Dispose();
        _process.Dispose();
        try
        {
            Directory.Delete(_configDirectory, recursive: true);
        }
        catch (IOException)
        {
            // a leftover temp folder is not worth failing a test over
        }
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Reads an <c>/api/v1/query</c> answer: vector, matrix or scalar results; an error status throws.</summary>
    public static IReadOnlyList<PrometheusSeries> ParseQueryResponse(string promql, int statusCode, string body)
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
                    return [new PrometheusSeries(new Dictionary<string, string>(), [Sample(result)])];
                case "vector":
                    return result.EnumerateArray().Select(s => new PrometheusSeries(Labels(s), [Sample(s.GetProperty("value"))])).ToList();
                case "matrix":
                    return result.EnumerateArray().Select(s => new PrometheusSeries(Labels(s), s.GetProperty("values").EnumerateArray().Select(Sample).ToList())).ToList();
                default:
                    throw new PrometheusQueryException(promql, $"unknown result type in {body}");
            }
        }
    }

    private static Dictionary<string, string> Labels(JsonElement series) =>
        series.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "");

    /// <summary>A <c>[unix seconds, "value"]</c> pair; Prometheus writes NaN, +Inf and -Inf as such.</summary>
    private static PrometheusSample Sample(JsonElement pair)
    {
        var seconds = pair[0].GetDouble();
        var text = pair[1].GetString() ?? "NaN";
        var value = text switch
        {
            "NaN" => double.NaN,
            "+Inf" or "Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
        };
        return new PrometheusSample(DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(seconds * 1000)), value);
    }

    private static string Quote(string text) => JsonSerializer.Serialize(text); // a JSON string is a YAML string

    private async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"prometheus exited while starting:\n{_process.StandardError}");
            }
            try
            {
                using var response = await _http.GetAsync("-/ready");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not serving yet
            }
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"prometheus not ready after {timeout.TotalSeconds:0} s:\n{_process.StandardError}");
            }
            await Task.Delay(200);
        }
    }
}

/// <summary>One series of a query result: its labels (with <c>__name__</c> when the query keeps it) and samples.</summary>
public sealed record PrometheusSeries(IReadOnlyDictionary<string, string> Labels, IReadOnlyList<PrometheusSample> Samples)
{
    /// <summary>The latest sample's value (an instant query has exactly one).</summary>
    public double Value => Samples[^1].Value;

    public string Label(string name) => Labels.TryGetValue(name, out var value) ? value : "";

    public override string ToString() =>
        "{" + string.Join(", ", Labels.Select(l => $"{l.Key}=\"{l.Value}\"")) + "} " + Value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>A sample: when, and the value.</summary>
public readonly record struct PrometheusSample(DateTimeOffset Time, double Value);

/// <summary>A query Prometheus refused or failed, with its error text.</summary>
public sealed class PrometheusQueryException(string promql, string error) : Exception($"prometheus query failed: {error}\nquery: {promql}")
{
    public string Query { get; } = promql;

    public string Error { get; } = error;
}
