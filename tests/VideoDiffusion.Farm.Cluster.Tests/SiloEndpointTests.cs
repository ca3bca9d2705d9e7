using System.Net;

namespace VideoDiffusion.Farm.Cluster.Tests;

/// <summary>Every silo process answers its probe and its Prometheus scrape on its metrics port.</summary>
[Collection(ClusterCollection.Name)]
public sealed class SiloEndpointTests(FarmCluster cluster)
{
    [Fact]
    public async Task EverySiloIsReadyAndExportsItsAcceleratorMetrics()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        Assert.NotEmpty(cluster.SiloMetricsPorts);
        foreach (var port in cluster.SiloMetricsPorts)
        {
            using var health = await http.GetAsync($"http://127.0.0.1:{port}/healthz");
            var healthText = await health.Content.ReadAsStringAsync();
            Assert.True(health.StatusCode == HttpStatusCode.OK, healthText);
            Assert.Contains("is active", healthText);

            var metrics = await http.GetStringAsync($"http://127.0.0.1:{port}/metrics");
            Assert.Matches(@"farm_accelerator_slots\{[^}]*silo=""silo-\d""[^}]*\} 1", metrics);
            Assert.Contains("farm_executor_queued_window_steps{", metrics);
            Assert.Contains("orleans_", metrics);
            Assert.DoesNotContain("hw_gpu_", metrics); // no NVIDIA driver on these machines
        }
    }
}
