using System.Diagnostics;
using System.Net.Http.Json;
using VideoDiffusion.Farm.Abstractions;
using VideoDiffusion.Farm.Abstractions.Api;
using VideoDiffusion.Farm.Diffusion.Models;
using VideoDiffusion.Farm.Diffusion.Plans;
using VideoDiffusion.Farm.Diffusion.Rendering;
using VideoDiffusion.Farm.Grains.Jobs;

namespace VideoDiffusion.Farm.Cluster.Tests.Telemetry;

/// <summary>
/// A 30 s job renders on two silo processes while a real Prometheus scrapes them every second: what Prometheus holds
/// afterwards agrees with the farm, every dashboard panel and recording rule evaluates to data, and promtool accepts
/// the scraped text.
/// </summary>
[Collection(TelemetryCollection.Name)]
public sealed class PrometheusScrapeTests(TelemetryCluster cluster)
{
    private const string Prompt = "a purple ball moving left in space";

    /// <summary>What KEDA scales silos on: queued window-steps per accelerator slot (a recording rule).</summary>
    public const string AutoscalingSignal = "farm:queued_window_steps_per_slot";

    [Fact]
    public async Task PrometheusSeesTheRenderAsTheFarmDoes()
    {
        using var http = cluster.Client(FarmCluster.Keys["tenant-a"]);
        var job = await FarmJobs.SubmitAsync(http, new { prompt = Prompt, seconds = 30, seed = 17 });
        var expressions = PrometheusExpressions.FromRepository();

        // while it renders: the autoscaling signal sees queued work, and the running-job panels (ETA, progress) have data
        var queuedPerSlot = new List<double>();
        var runningJobFailures = expressions.Where(e => e is { RunningJobsOnly: true, GpuOnly: false }).ToDictionary(e => e.Source + e.Expr, e => $"{e.Source}: no series from `{e.Expr}` during the render");
        var done = await FarmJobs.WaitAsync(http, job.Id, TimeSpan.FromMinutes(6), every: TimeSpan.FromMilliseconds(500), polled: async view =>
        {
            if (view.IsFinished)
            {
                return;
            }
            queuedPerSlot.AddRange((await cluster.Prometheus.QueryAsync(AutoscalingSignal)).Select(s => s.Value));
            foreach (var expression in expressions.Where(e => runningJobFailures.ContainsKey(e.Source + e.Expr)))
            {
                if ((await cluster.Prometheus.QueryAsync(expression.Expr)).Count > 0)
                {
                    runningJobFailures.Remove(expression.Source + expression.Expr);
                }
            }
        });
        Assert.True(done.State == "completed", $"{done.State}: {done.Error}");
        Assert.True(runningJobFailures.Count == 0, string.Join('\n', runningJobFailures.Values));
        Assert.Contains(queuedPerSlot, v => v > 0);

        // the job's window-steps, from the same plan the farm made
        var manifest = ModelManifestLoader.Load(Path.Combine(RepositoryPaths.Root, "models", "moonwalk-tiny"));
        var spec = RenderJobSpec.Resolve(JobRequestMapper.ToRenderRequest(new RenderJobRequest { Prompt = Prompt, Seconds = 30, Seed = 17 }), manifest);
        var windowSteps = JobPlanner.Passes(spec).Sum(p => (long)p.Windows.Windows.Count * spec.Steps);

        // the last scrape after the job's end
        var counted = await SettledAsync("sum(farm_window_steps_total)", windowSteps);
        Assert.Equal(windowSteps, counted);

        // the recording rule is evaluated on its own clock, so it may trail the raw counters by an evaluation
        Assert.Equal(0, await SettledAsync(AutoscalingSignal, 0));

        var own = await ExecutorBusySecondsAsync(http, windowSteps);
        var busy = (await cluster.Prometheus.QueryAsync("sum(farm_accelerator_busy_seconds_total)")).Single().Value;
        Assert.InRange(busy, own * 0.9, own * 1.1);

        var highest = await cluster.Prometheus.QueryAsync("max_over_time(farm_accelerator_utilization_ratio[10m])");
        var lowest = await cluster.Prometheus.QueryAsync("min_over_time(farm_accelerator_utilization_ratio[10m])");
        Assert.Equal(2, highest.Count);
        Assert.All(highest, s => Assert.InRange(s.Value, 0, 1));
        Assert.All(lowest, s => Assert.InRange(s.Value, 0, 1));
        Assert.Contains(highest, s => s.Value > 0.5);

        // a completed job's counters are born at its completion: wait for a few scrapes of them (rate() needs two
        // samples) and a rule evaluation over them
        Assert.Equal(1, await SettledAsync(
            "clamp_max(count(count_over_time(farm_job_frames_total[1m]) >= 3), 1) and on() count(farm:job_success:ratio1h)", 1));

        // every dashboard target and recording rule returns data, except GPU readings (none on these machines) and
        // the running-job gauges (the job has finished)
        var failures = new List<string>();
        foreach (var expression in expressions)
        {
            try
            {
                var series = await cluster.Prometheus.QueryAsync(expression.Expr);
                if (series.Count == 0 && expression.AlwaysHasSeries)
                {
                    failures.Add($"{expression.Source}: no series from `{expression.Expr}`");
                }
            }
            catch (PrometheusQueryException e)
            {
                failures.Add($"{expression.Source}: {e.Error}");
            }
        }
        Assert.True(failures.Count == 0, string.Join('\n', failures));
        Assert.Contains(expressions, e => e.Source.Contains("dashboards/", StringComparison.Ordinal));
        Assert.Contains(expressions, e => e.Source.Contains("rules/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PromtoolAcceptsTheScrapedMetrics()
    {
        using var http = new HttpClient();
        foreach (var port in cluster.SiloMetricsPorts.Append(cluster.GatewayPort))
        {
            var text = await http.GetStringAsync($"http://127.0.0.1:{port}/metrics");
            // the whole text parses; the farm's own families also pass promtool's lint (Orleans' and the runtime's
            // instruments have no help text and millisecond units, which only their authors can change)
            var whole = await PromtoolAsync(text);
            Assert.DoesNotContain("error while linting", whole.Output + whole.Error);
            var farm = string.Join('\n', text.Split('\n').Where(l => l.StartsWith("farm_", StringComparison.Ordinal) ||
                l.StartsWith("# HELP farm_", StringComparison.Ordinal) || l.StartsWith("# TYPE farm_", StringComparison.Ordinal))) + "\n";
            if (port != cluster.GatewayPort)
            {
                Assert.Contains("farm_accelerator_slots", farm); // busy time appears only once a silo has rendered
            }
            var own = await PromtoolAsync(farm);
            Assert.True(own.ExitCode == 0, $"promtool check metrics on port {port}: {own}");
        }
    }

    /// <summary>
    /// Busy seconds the executors themselves report through the gateway's farm view, once their reports (every 2 s)
    /// include all of the job's window-steps.
    /// </summary>
    private static async Task<double> ExecutorBusySecondsAsync(HttpClient http, long windowSteps)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var farm = await http.GetFromJsonAsync<FarmView>("v1/farm", ApiJson.Options);
            if (farm!.Totals.WindowSteps >= windowSteps || clock.Elapsed > TimeSpan.FromSeconds(20))
            {
                Assert.Equal(windowSteps, farm.Totals.WindowSteps);
                return farm.Totals.BusySeconds;
            }
            await Task.Delay(500);
        }
    }

    /// <summary>Polls a scalar query until it reaches <paramref name="expected"/> or stops changing for a few scrapes.</summary>
    private async Task<double> SettledAsync(string query, double expected)
    {
        var clock = Stopwatch.StartNew();
        double last = double.NaN;
        var unchanged = 0;
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            var value = (await cluster.Prometheus.QueryAsync(query)).SingleOrDefault()?.Value ?? double.NaN;
            if (value == expected)
            {
                return expected;
            }
            unchanged = value.Equals(last) ? unchanged + 1 : 0;
            if (unchanged >= 5)
            {
                return value;
            }
            last = value;
            await Task.Delay(1000);
        }
        return last;
    }

    private static Task<ToolResult> PromtoolAsync(string metrics) =>
        ToolProcess.RunAsync(ServerProcess.FindExecutable("promtool", "/usr/bin/promtool"), ["check", "metrics"], metrics);
}
