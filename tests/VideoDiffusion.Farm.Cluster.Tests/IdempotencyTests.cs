using System.Net;
using System.Net.Http.Json;
using VideoDiffusion.Farm.Abstractions.Api;

namespace VideoDiffusion.Farm.Cluster.Tests;

/// <summary>Idempotency keys: bound to the request they came with, kept for a configured time, and the oldest forgotten first.</summary>
[Collection(ClusterCollection.Name)]
public sealed class IdempotencyTests(FarmCluster cluster)
{
    [Fact]
    public async Task SameKeyWithADifferentBodyIsRefusedWith422AndStartsNothing()
    {
        using var http = cluster.Client(FarmCluster.Keys["tenant-d"]);
        var key = "conflict-" + Guid.NewGuid().ToString("N");
        var first = await SubmitAsync(http, key, seed: 1);
        Assert.Equal(HttpStatusCode.Accepted, first.Status);
        var jobsAfterFirst = await JobCountAsync(http);

        using (var response = await SendAsync(http, key, seed: 2))
        {
            var problem = await ProblemAnswers.AssertAsync(response, HttpStatusCode.UnprocessableEntity, "Idempotency-Key");
            Assert.Contains(key, problem.GetProperty("detail").GetString());
        }
        var retried = await SubmitAsync(http, key, seed: 1);
        Assert.Equal(first.Id, retried.Id);
        Assert.Equal(jobsAfterFirst, await JobCountAsync(http));
        Assert.Equal("completed", (await FarmJobs.WaitAsync(http, first.Id, TimeSpan.FromMinutes(3))).State);
    }

    [Fact]
    public async Task KeysBeyondTheConfiguredCountAreForgottenOldestFirst()
    {
        await using var gateway = await cluster.LaunchGatewayAsync(cluster.ClusterId, "--Farm:Gateway:IdempotencyKeysKept=2");
        using var http = cluster.Client(FarmCluster.Keys["tenant-d"], gateway.Port);
        await FarmCluster.WaitUntilServingAsync(http, gateway);
        var keys = Enumerable.Range(1, 4).Select(i => $"kept-{i}-{Guid.NewGuid():N}").ToList();
        var jobs = new List<string>();
        foreach (var key in keys)
        {
            var job = await SubmitAsync(http, key, seed: 7);
            Assert.Equal(HttpStatusCode.Accepted, job.Status);
            jobs.Add(job.Id);
            await FarmJobs.WaitAsync(http, job.Id, TimeSpan.FromMinutes(3)); // stay under the tenant's limit of unfinished jobs
        }

        // the two newest keys are kept whatever order the keys were stored in; the oldest starts a new job
        Assert.Equal(jobs[3], (await SubmitAsync(http, keys[3], seed: 7)).Id);
        Assert.Equal(jobs[2], (await SubmitAsync(http, keys[2], seed: 7)).Id);
        var renewed = await SubmitAsync(http, keys[0], seed: 7);
        Assert.Equal(HttpStatusCode.Accepted, renewed.Status);
        Assert.DoesNotContain(renewed.Id, jobs);
        await FarmJobs.WaitAsync(http, renewed.Id, TimeSpan.FromMinutes(3));
    }

    [Fact]
    public async Task KeysOlderThanTheConfiguredLifetimeStartANewJob()
    {
        await using var gateway = await cluster.LaunchGatewayAsync(cluster.ClusterId, "--Farm:Gateway:IdempotencyKeyLifetime=00:00:03");
        using var http = cluster.Client(FarmCluster.Keys["tenant-d"], gateway.Port);
        await FarmCluster.WaitUntilServingAsync(http, gateway);
        var key = "lifetime-" + Guid.NewGuid().ToString("N");
        var first = await SubmitAsync(http, key, seed: 11);
        Assert.Equal(first.Id, (await SubmitAsync(http, key, seed: 11)).Id);
        await FarmJobs.WaitAsync(http, first.Id, TimeSpan.FromMinutes(3));
        await Task.Delay(TimeSpan.FromSeconds(4));

        var later = await SubmitAsync(http, key, seed: 11);
        Assert.Equal(HttpStatusCode.Accepted, later.Status);
        Assert.NotEqual(first.Id, later.Id);
        await FarmJobs.WaitAsync(http, later.Id, TimeSpan.FromMinutes(3));
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient http, string key, int seed)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "v1/jobs")
        {
            Content = JsonContent.Create(new { prompt = "a red cube standing still in space", seconds = 2, steps = 2, scale = 1, seed }),
        };
        request.Headers.Add("Idempotency-Key", key);
        return http.SendAsync(request);
    }

    private static async Task<(HttpStatusCode Status, string Id)> SubmitAsync(HttpClient http, string key, int seed)
    {
        using var response = await SendAsync(http, key, seed);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{(int)response.StatusCode}: {body}");
        return (response.StatusCode, System.Text.Json.JsonSerializer.Deserialize<JobView>(body, ApiJson.Options)!.Id);
    }

    private static async Task<int> JobCountAsync(HttpClient http) =>
        (await http.GetFromJsonAsync<JobListView>("v1/jobs", ApiJson.Options))!.Jobs.Count;
}
