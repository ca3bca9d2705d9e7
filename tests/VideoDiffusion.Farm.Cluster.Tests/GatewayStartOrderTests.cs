using System.Diagnostics;
using System.Net;

namespace VideoDiffusion.Farm.Cluster.Tests;

/// <summary>Processes start in any order: a gateway up before any silo waits, answering 503, then serves.</summary>
[Collection(ClusterCollection.Name)]
public sealed class GatewayStartOrderTests(FarmCluster cluster)
{
    private static readonly TimeSpan AloneFor = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task GatewayStartedBeforeAnySiloAnswers503UntilTheClusterAnswersThenRendersAJob()
    {
        // a cluster of its own on the fixture's Redis and Azurite, with no silo yet
        var suffix = Guid.NewGuid().ToString("N")[..8];
        string[] settings = [$"--Farm:ServiceId=late-{suffix}"];
        var clusterId = $"late-{suffix}";
        await using var gateway = await cluster.LaunchGatewayAsync(clusterId, settings);
        using var http = cluster.Client(FarmCluster.Keys["tenant-a"], gateway.Port);
        using var anonymous = cluster.Client(null, gateway.Port);

        var alone = Stopwatch.StartNew();
        while (alone.Elapsed < AloneFor)
        {
            Assert.False(gateway.HasExited, $"the gateway exited without a silo: {gateway.StandardError}\n{gateway.StandardOutput}");
            await ProblemAnswers.AssertAsync(await http.GetAsync("v1/models"), HttpStatusCode.ServiceUnavailable, "cluster", retryAfter: true);
            using (var health = await anonymous.GetAsync("healthz"))
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
            }
            using (var alive = await anonymous.GetAsync("livez"))
            {
                Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
            }
            await Task.Delay(TimeSpan.FromSeconds(3));
        }

        var (silo, _, _) = await cluster.LaunchSiloAsync(clusterId, "late-silo-0", settings);
        await using (silo)
        {
            await Poll.UntilAsync(
                async () => (await anonymous.GetAsync("healthz")).StatusCode,
                status => status == HttpStatusCode.OK, TimeSpan.FromSeconds(90), TimeSpan.FromMilliseconds(500),
                last => $"/healthz still {last} after the silo started: {gateway.StandardOutput}");
            Assert.False(gateway.HasExited);
            var job = await FarmJobs.SubmitAsync(http, new { prompt = "a red cube standing still in space", seconds = 2, steps = 2, scale = 1 });
            var done = await FarmJobs.WaitAsync(http, job.Id, TimeSpan.FromMinutes(3));
            Assert.True(done.State == "completed", $"{done.State}: {done.Error}");
        }
    }
}
