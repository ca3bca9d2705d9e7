using System.Net.Http.Json;
using System.Text.Json;

namespace VideoDiffusion.Farm.Tests.Shared;

/// <summary>
/// A real Prometheus (Debian's package) on a free loopback port, scraping the given targets every second with the given
/// rule files, its TSDB in a temporary folder; killed on dispose. Queries go through its HTTP API.
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    private readonly ServerProcess _process;
    private readonly string _folder;
    private readonly HttpClient _http;

    private PrometheusServer(ServerProcess process, string folder)
    {
        _process = process;
        _folder = folder;
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{process.Port}/"), Timeout = TimeSpan.FromSeconds(30) };
    }

    public int Port => _process.Port;

    /// <param name="jobs">Scrape job name → <c>host:port</c> targets (path <c>/metrics</c>).</param>
    /// <param name="ruleFiles">Rule files, copied beside the configuration.</param>
    public static async Task<PrometheusServer> StartAsync(IReadOnlyDictionary<string, IReadOnlyList<string>> jobs, IEnumerable<string> ruleFiles)
    {
        var executable = ServerProcess.FindExecutable("prometheus", "/usr/bin/prometheus");
        var folder = Directory.CreateTempSubdirectory("farm-prometheus-").FullName;
        var rules = ruleFiles.Select(file =>
        {
            var copy = Path.Combine(folder, Path.GetFileName(file));
            File.Copy(file, copy);
            return copy;
        }).ToList();
        var config = Path.Combine(folder, "prometheus.yml");
        await File.WriteAllTextAsync(config, string.Join('\n',
        [
            "global:",
            "  scrape_interval: 1s",
            "  evaluation_interval: 1s",
            "rule_files:",
            .. rules.Select(r => $"  - '{r}'"),
            "scrape_configs:",
            .. jobs.SelectMany(job => new[]
            {
                $"  - job_name: '{job.Key}'",
                "    static_configs:",
                $"      - targets: [{string.Join(", ", job.Value.Select(t => $"'{t}'"))}]",
            }),
            "",
        ]));
        var process = await ServerProcess.StartAsync("prometheus", executable, port =>
        [
            $"--config.file={config}",
            $"--storage.tsdb.path={Path.Combine(folder, "data")}",
            $"--web.listen-address=127.0.0.1:{port}",
            "--log.level=warn",
        ], TimeSpan.FromSeconds(60));
        var server = new PrometheusServer(process, folder);
        await server.WaitReadyAsync();
        return server;
    }

    /// <summary>An instant query; the result vector's series (throws with Prometheus' message on an error).</summary>
    public async Task<IReadOnlyList<PrometheusSample>> QueryAsync(string promql)
    {
        using var response = await _http.GetAsync("api/v1/query?query=" + Uri.EscapeDataString(promql));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        if (body.GetProperty("status").GetString() != "success")
        {
            throw new InvalidOperationException($"query `{promql}` failed: {body.GetProperty("errorType").GetString()}: {body.GetProperty("error").GetString()}");
        }
        var data = body.GetProperty("data");
        return data.GetProperty("resultType").GetString() switch
        {
            "vector" => data.GetProperty("result").EnumerateArray().Select(series => new PrometheusSample(
                series.GetProperty("metric").EnumerateObject().ToDictionary(l => l.Name, l => l.Value.GetString() ?? ""),
                double.Parse(series.GetProperty("value")[1].GetString()!, System.Globalization.CultureInfo.InvariantCulture))).ToList(),
            "scalar" => [new PrometheusSample(new Dictionary<string, string>(),
                double.Parse(data.GetProperty("result")[1].GetString()!, System.Globalization.CultureInfo.InvariantCulture))],
            var other => throw new InvalidOperationException($"query `{promql}` gave a {other}, not a vector"),
        };
    }

    /// <summary>The targets' health as Prometheus sees them (job, instance, up).</summary>
    public async Task<IReadOnlyList<PrometheusSample>> TargetsUpAsync() => await QueryAsync("up");

    private async Task WaitReadyAsync()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            try
            {
                if ((await _http.GetAsync("-/ready")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            if (clock.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new TimeoutException("prometheus did not become ready: " + _process.StandardError);
            }
            await Task.Delay(200);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _process.DisposeAsync();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // a leftover temp folder is not worth failing a test over
        }
    }
}

/// <summary>One series of an instant query: its labels and value.</summary>
public sealed record PrometheusSample(IReadOnlyDictionary<string, string> Labels, double Value);
