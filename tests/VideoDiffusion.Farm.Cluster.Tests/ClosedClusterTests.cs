using System.Net;
using System.Net.Http.Headers;
using System.Text;
using VideoDiffusion.Farm.Abstractions;

namespace VideoDiffusion.Farm.Cluster.Tests;

/// <summary>What an outsider or another tenant cannot reach: the operator's dashboard, another job's video.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ClosedClusterTests(FarmCluster cluster)
{
    private const string OperatorKey = "operator-key-0123456789";

    [Fact]
    public async Task DashboardAnswersOnlyTheOperatorKeyAndIsNotServedWithoutOne()
    {
        // the fixture's gateway has the dashboard on but no operator key: it does not serve it
        using (var anonymous = cluster.Client(null))
        using (var response = await anonymous.GetAsync("dashboard"))
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        await using var gateway = await cluster.LaunchServingGatewayAsync(cluster.ClusterId, $"--Farm:Gateway:OperatorKeySha256={FarmCluster.Hash(OperatorKey)}");
        using var tenant = cluster.Client(FarmCluster.Keys["tenant-a"], gateway.Port);
        using (var anonymous = cluster.Client(null, gateway.Port))
        {
            var response = await anonymous.GetAsync("dashboard");
            await ProblemAnswers.AssertAsync(response, HttpStatusCode.Unauthorized, "operatorKey");
            Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Basic");
        }
        // a tenant's API key is not the operator's
        await ProblemAnswers.AssertAsync(await tenant.GetAsync("dashboard"), HttpStatusCode.Unauthorized, "operatorKey");
        using (var wrong = cluster.Client(null, gateway.Port))
        {
            wrong.DefaultRequestHeaders.Authorization = Basic("operator-key-wrong");
            await ProblemAnswers.AssertAsync(await wrong.GetAsync("dashboard"), HttpStatusCode.Unauthorized, "operatorKey");
        }
        using (var operatorClient = cluster.Client(null, gateway.Port))
        {
            operatorClient.DefaultRequestHeaders.Authorization = Basic(OperatorKey);
            // (HttpClient drops the Authorization header on a redirect, so ask for the page itself)
            using var page = await operatorClient.GetAsync("dashboard/");
            Assert.True(page.StatusCode == HttpStatusCode.OK, $"{page.StatusCode}: {await page.Content.ReadAsStringAsync()}");
        }
    }

    [Fact]
    public async Task AJobWhoseStatePointsAtAnotherTenantsVideoServesOnlyItsOwn()
    {
        using var victim = cluster.Client(FarmCluster.Keys["tenant-b"]);
        var secret = await FarmJobs.SubmitAsync(victim, new { prompt = "a yellow cube standing still on the moon", seconds = 2, steps = 2 });
        var secretDone = await FarmJobs.WaitAsync(victim, secret.Id, TimeSpan.FromMinutes(2));
        Assert.Equal("completed", secretDone.State);
        var secretBytes = await victim.GetByteArrayAsync(secretDone.Video!.TrimStart('/'));

        // the attacker's own job: while it stitches, a client that reached the silo ports reports it stitched, with
        // the other tenant's video key
        using var attacker = cluster.Client(FarmCluster.Keys["tenant-c"]);
        var (own, grain) = await cluster.SubmitAndWaitUntilStitchingAsync(attacker, "a red ball moving right on the beach");
        await grain.StitchCompleted(new JobResult($"jobs/{secret.Id}/video.mp4", "forged", 16, 8, 1, 0, 0));
        Assert.Equal(JobState.Completed, (await grain.GetStatus()).State);

        // the gateway reads only the attacker's job's own key: not there yet (404) or the attacker's own video
        var served = await Poll.UntilAsync(
            async () =>
            {
                using var response = await attacker.GetAsync($"v1/jobs/{own.Id}/video");
                return (response.StatusCode, Bytes: await response.Content.ReadAsByteArrayAsync());
            },
            r => r.StatusCode == HttpStatusCode.OK, TimeSpan.FromMinutes(2), TimeSpan.FromMilliseconds(500),
            r => $"the video answered {r.StatusCode}");
        Assert.False(served.Bytes.SequenceEqual(secretBytes), "the attacker read the other tenant's video");
        await using var stored = (await cluster.Artifacts.OpenAsync($"jobs/{own.Id}/video.mp4"))!;
        using var copy = new MemoryStream();
        await stored.CopyToAsync(copy);
        Assert.Equal(copy.ToArray(), served.Bytes);
    }

    private static AuthenticationHeaderValue Basic(string key) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("operator:" + key)));
}
