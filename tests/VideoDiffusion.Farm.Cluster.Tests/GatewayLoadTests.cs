using System.Net.Http.Json;
using VideoDiffusion.Farm.Abstractions.Api;
using Xunit.Abstractions;

namespace VideoDiffusion.Farm.Cluster.Tests;

/// <summary>
/// A minute of reads on loopback against the three-silo cluster while a job runs: many event streams and paced status
/// polls. The gateway answers every request with something a client can act on, the job completes, and the gateway's
/// memory stays flat.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class GatewayLoadTests(FarmCluster cluster, ITestOutputHelper output)
{
    private const int Streams = 200;
    private const int StreamsPerTenant = 160; // the rest are refused (429) and come back after Retry-After
    private const int PollsPerSecond = 1000;
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task TwoHundredEventStreamsAndAThousandStatusPollsASecondForAMinuteGetNoUnusableAnswerAndTheJobCompletesWithFlatGatewayMemory()
    {
        await using var gateway = await cluster.LaunchServingGatewayAsync(cluster.ClusterId, $"--Farm:Gateway:MaxEventStreamsPerTenant={StreamsPerTenant}");
        var key = FarmCluster.Keys["tenant-d"];
        using var http = cluster.Client(key, gateway.Port);
        var job = await FarmJobs.SubmitAsync(http, new { prompt = "a white horse walking right on the beach", seconds = 60, steps = 18, scale = 1 });

        var load = new GatewayLoad();
        var memory = ProcessMemory.SampleAsync(gateway.Id, Duration);
        await load.RunAsync(new Uri($"http://127.0.0.1:{gateway.Port}/"), key, job.Id, Streams, PollsPerSecond, Duration);
        var rss = await memory;
        var afterLoad = await http.GetFromJsonAsync<JobView>($"v1/jobs/{job.Id}", ApiJson.Options);
        var done = await FarmJobs.WaitAsync(http, job.Id, TimeSpan.FromMinutes(3));

        var early = ProcessMemory.Median(rss.Skip(10).Take(15));
        var late = ProcessMemory.Median(rss.TakeLast(15));
        output.WriteLine($"requests {load.Requests} in {Duration.TotalSeconds:0} s ({load.Requests / Duration.TotalSeconds:0}/s; polls paced at {PollsPerSecond}/s), " +
                         $"transport errors {load.TransportErrors}");
        output.WriteLine("status codes: " + string.Join(", ", load.Statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}")));
        output.WriteLine($"streams opened {load.StreamsOpened}, status events {load.Events}; job at the load's end {afterLoad!.State} " +
                         $"{afterLoad.Progress:P0}, then {done.State} {done.Error}");
        output.WriteLine($"gateway VmRSS median s10-25 {early / 1024:0.0} MiB, last 15 s {late / 1024:0.0} MiB (ratio {late / early:0.00}); " +
                         "every second (MiB): " + string.Join(' ', rss.Select(kib => (kib / 1024.0).ToString("0", System.Globalization.CultureInfo.InvariantCulture))));
        foreach (var violation in load.Violations)
        {
            output.WriteLine("unusable answer: " + violation);
        }

        Assert.True(load.ViolationCount == 0, $"{load.ViolationCount} answers were 5xx other than 503 with Retry-After, or 429 without it: {string.Join(" | ", load.Violations)}");
        Assert.True(load.StreamsOpened >= StreamsPerTenant, $"only {load.StreamsOpened} event streams were opened");
        Assert.True(load.Statuses.GetValueOrDefault(200) > 0 && load.Statuses.GetValueOrDefault(429) > 0, "the load saw no success or no refused stream");
        Assert.True(done.State == "completed", $"{done.State}: {done.Error}");
        Assert.True(rss.Count >= 40, $"only {rss.Count} memory readings of the gateway");
        Assert.True(late <= 1.25 * early, $"the gateway's memory grew: median {early / 1024:0.0} MiB at 10-25 s, {late / 1024:0.0} MiB over the last 15 s");
        Assert.False(gateway.HasExited);
    }
}
