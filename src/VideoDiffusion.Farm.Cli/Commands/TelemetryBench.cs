using System.Diagnostics;
using VideoDiffusion.Farm.Abstractions;
using VideoDiffusion.Farm.Cli.Rendering;
using VideoDiffusion.Farm.Diffusion.Models;
using VideoDiffusion.Farm.Diffusion.Rendering;
using VideoDiffusion.Farm.Grains.Jobs;
using VideoDiffusion.Farm.Hosting.Embedded;

namespace VideoDiffusion.Farm.Cli.Commands;

/// <summary>
/// The cost of telemetry: the same farm job with telemetry on (meter and tracer providers, the <c>/metrics</c> endpoint
/// scraped every second as Prometheus would) and off, alternating, and the ratio of the median wall times.
/// </summary>
public static class TelemetryBench
{
    public static async Task RunAsync(RenderJobRequest request, int maxBatch, ModelManifest manifest, string modelPath, int silos, int threads, int runs, CancellationToken cancellation)
    {
        var spec = RenderJobSpec.Resolve(JobRequestMapper.ToRenderRequest(request) with { MaxBatch = maxBatch }, manifest);
        var output = Path.Combine(Path.GetTempPath(), $"farm-bench-telemetry-{Environment.ProcessId}.mp4");
        var times = new Dictionary<bool, List<double>> { [true] = [], [false] = [] };
        for (var run = 0; run < runs; run++)
        {
            foreach (var on in run % 2 == 0 ? new[] { true, false } : [false, true])
            {
                var seconds = await TimeOneAsync(request, spec, manifest, modelPath, silos, threads, on, output, cancellation);
                times[on].Add(seconds);
                Console.WriteLine($"telemetry {(on ? "on " : "off")} run {run + 1}: {seconds,7:F2} s");
            }
        }
        File.Delete(output);
        var medianOn = Median(times[true]);
        var medianOff = Median(times[false]);
        Console.WriteLine($"telemetry on / off wall time (medians of {runs} alternating runs) = {medianOn:F2} / {medianOff:F2} = {medianOn / medianOff:F3}");
    }

    private static async Task<double> TimeOneAsync(RenderJobRequest request, RenderJobSpec spec, ModelManifest manifest, string modelPath, int silos, int threads, bool on,
        string output, CancellationToken cancellation)
    {
        await using var farm = await EmbeddedFarm.StartAsync(new EmbeddedFarmOptions
        {
            Silos = silos,
            ThreadsPerSlot = threads,
            MaxBatch = spec.MaxBatch,
            ModelsRoot = Path.GetDirectoryName(modelPath)!,
            Settings = new Dictionary<string, string?>
            {
                ["Farm:Telemetry:Enabled"] = on ? "true" : "false",
                ["Farm:Telemetry:MetricsPort"] = on ? EmbeddedFarm.FreeLoopbackPort().ToString(System.Globalization.CultureInfo.InvariantCulture) : "0",
            },
        }, cancellation);
        var warm = request with { Seconds = 1, Steps = 1 };
        await FarmClipRenderer.RunJobAsync(farm, warm, RenderJobSpec.Resolve(JobRequestMapper.ToRenderRequest(warm), manifest), modelPath, output, 4, null, cancellation);
        using var scraping = new CancellationTokenSource();
        var scraper = farm.MetricsPort is { } port ? ScrapeAsync(port, scraping.Token) : Task.CompletedTask;
        var started = Stopwatch.GetTimestamp();
        await FarmClipRenderer.RunJobAsync(farm, request, spec, modelPath, output, 4, null, cancellation);
        var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
        await scraping.CancelAsync();
        await scraper;
        return elapsed;
    }

    /// <summary>Fetches <c>/metrics</c> once a second, as a Prometheus server with a 1 s scrape interval does.</summary>
    private static async Task ScrapeAsync(int port, CancellationToken cancellation)
    {
        using var http = new HttpClient();
        while (!cancellation.IsCancellationRequested)
        {
            try
            {
                await http.GetStringAsync($"http://127.0.0.1:{port}/metrics", cancellation);
                await Task.Delay(TimeSpan.FromSeconds(1), cancellation);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
