using System.Net;
using System.Net.Http.Json;
using Orleans.Runtime;
using VideoDiffusion.Farm.Abstractions;
using VideoDiffusion.Farm.Abstractions.Api;

namespace VideoDiffusion.Farm.Cluster.Tests;

/// <summary>What bounds a flood of reads: event streams per tenant and their lifetime, the list's <c>limit</c>, unknown ids.</summary>
[Collection(ClusterCollection.Name)]
public sealed class RequestFloodLimitTests(FarmCluster cluster)
{
    [Theory]
    [InlineData(101)]
    [InlineData(1000)]
    [InlineData(0)]
    public async Task ListLimitOutsideOneToAHundredIsRefusedOnLimit(int limit)
    {
        using var http = cluster.Client(FarmCluster.Keys["tenant-c"]);
        using var response = await http.GetAsync($"v1/jobs?limit={limit}");
        await ProblemAnswers.AssertAsync(response, HttpStatusCode.BadRequest, "limit");
        using var largest = await http.GetAsync("v1/jobs?limit=100");
        Assert.Equal(HttpStatusCode.OK, largest.StatusCode);
    }

    [Fact]
    public async Task UnknownJobIdIsAnswered404WithoutActivatingAJobGrain()
    {
        using var http = cluster.Client(FarmCluster.Keys["tenant-c"]);
        var id = $"tenant-c-{Guid.NewGuid():N}"[..25];
        await ProblemAnswers.AssertAsync(await http.GetAsync($"v1/jobs/{id}"), HttpStatusCode.NotFound, "id");
        await ProblemAnswers.AssertAsync(await http.GetAsync($"v1/jobs/{id}/events"), HttpStatusCode.NotFound, "id");
        await ProblemAnswers.AssertAsync(await http.GetAsync($"v1/jobs/{id}/video"), HttpStatusCode.NotFound, "id");
        await ProblemAnswers.AssertAsync(await http.PostAsync($"v1/jobs/{id}:cancel", null), HttpStatusCode.NotFound, "id");

        var management = cluster.Orleans.GetGrain<IManagementGrain>(0);
        Assert.Null(await management.GetActivationAddress(cluster.Orleans.GetGrain<IRenderJobGrain>(id)));
    }

    [Fact]
    public async Task EventStreamsPerTenantAreCappedWith429AndEachEndsAfterItsLifetime()
    {
        await using var gateway = await cluster.LaunchGatewayAsync(cluster.ClusterId,
            "--Farm:Gateway:MaxEventStreamsPerTenant=2", "--Farm:Gateway:MaxEventStreamDuration=00:00:05");
        using var http = cluster.Client(FarmCluster.Keys["tenant-b"], gateway.Port);
        await FarmCluster.WaitUntilServingAsync(http, gateway);
        var job = await FarmJobs.SubmitAsync(http, new { prompt = "a yellow puppy walking left on the beach", seconds = 60, steps = 20 });
        try
        {
            using var first = await OpenStreamAsync(http, job.Id);
            using var second = await OpenStreamAsync(http, job.Id);
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            Assert.Equal(HttpStatusCode.OK, second.StatusCode);
            using (var third = await OpenStreamAsync(http, job.Id))
            {
                await ProblemAnswers.AssertAsync(third, HttpStatusCode.TooManyRequests, "events", retryAfter: true);
            }
            // another tenant's streams are counted on their own
            using (var other = cluster.Client(FarmCluster.Keys["tenant-c"], gateway.Port))
            using (var foreign = await OpenStreamAsync(other, job.Id))
            {
                await ProblemAnswers.AssertAsync(foreign, HttpStatusCode.NotFound, "id");
            }

            // both streams end by themselves while the job still runs
            using var ending = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var firstText = await first.Content.ReadAsStringAsync(ending.Token);
            await second.Content.ReadAsStringAsync(ending.Token);
            Assert.Contains("event: status", firstText);
            Assert.Contains("reconnect", firstText);
            Assert.False((await http.GetFromJsonAsync<JobView>($"v1/jobs/{job.Id}", ApiJson.Options))!.IsFinished,
                "the job finished before the streams' lifetime ran out: make it longer");

            using var again = await OpenStreamAsync(http, job.Id);
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        }
        finally
        {
            using var cancelled = await http.PostAsync($"v1/jobs/{job.Id}:cancel", null);
            await FarmJobs.WaitAsync(http, job.Id, TimeSpan.FromMinutes(2));
        }
    }

    private static Task<HttpResponseMessage> OpenStreamAsync(HttpClient http, string id) =>
        http.GetAsync($"v1/jobs/{id}/events", HttpCompletionOption.ResponseHeadersRead);
}
