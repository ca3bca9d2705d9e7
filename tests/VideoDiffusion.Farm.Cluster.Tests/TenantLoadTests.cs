using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using VideoDiffusion.Farm.Abstractions.Api;

namespace VideoDiffusion.Farm.Cluster.Tests;

/// <summary>Many tenants submitting at once: admission up to each tenant's bound, 429 beyond it, nothing lost.</summary>
[Collection(ClusterCollection.Name)]
public sealed class TenantLoadTests(FarmCluster cluster)
{
    [Fact]
    public async Task TwentyConcurrentJobsFromFourTenantsAreAdmittedUpToTheLimitAndAllAdmittedComplete()
    {
        var tenants = FarmCluster.Keys.Keys.ToList();
        var clients = tenants.ToDictionary(t => t, t => cluster.Client(FarmCluster.Keys[t]));
        var before = new Dictionary<string, List<string>>();
        foreach (var t in tenants)
        {
            before[t] = (await clients[t].GetFromJsonAsync<JobListView>("v1/jobs", ApiJson.Options))!.Jobs.Select(j => j.Id).ToList();
            Assert.DoesNotContain((await clients[t].GetFromJsonAsync<JobListView>("v1/jobs", ApiJson.Options))!.Jobs, j => !j.IsFinished);
        }

        var submissions = tenants.SelectMany(t => Enumerable.Range(0, 5).Select(i => (Tenant: t, Index: i))).ToList();
        var responses = await Task.WhenAll(submissions.Select(async s =>
        {
            var response = await clients[s.Tenant].PostAsJsonAsync("v1/jobs",
                new { prompt = $"a white cube moving left on the grass", seconds = 8, steps = 4, seed = (ulong)s.Index, scale = 1 });
            return (s.Tenant, Status: response.StatusCode, Body: await response.Content.ReadAsStringAsync(), RetryAfter: response.Headers.RetryAfter);
        }));

        var admitted = new List<(string Tenant, string Id)>();
        foreach (var r in responses)
        {
            if (r.Status == HttpStatusCode.Accepted)
            {
                admitted.Add((r.Tenant, JsonSerializer.Deserialize<JobView>(r.Body, ApiJson.Options)!.Id));
                continue;
            }
            Assert.True(r.Status == HttpStatusCode.TooManyRequests, $"{r.Status}: {r.Body}");
            Assert.Equal("tenant", JsonDocument.Parse(r.Body).RootElement.GetProperty("field").GetString());
            Assert.NotNull(r.RetryAfter);
        }
        foreach (var t in tenants)
        {
            var count = admitted.Count(a => a.Tenant == t);
            Assert.True(count >= FarmCluster.MaxUnfinishedJobsPerTenant && count < 5, $"{t}: {count} of 5 admitted with a limit of {FarmCluster.MaxUnfinishedJobsPerTenant}");
        }

        foreach (var (tenant, id) in admitted)
        {
            var done = await FarmJobs.WaitAsync(clients[tenant], id, TimeSpan.FromMinutes(5));
            Assert.True(done.State == "completed", $"{id}: {done.State} {done.Error}");
        }
        foreach (var t in tenants)
        {
            var after = (await clients[t].GetFromJsonAsync<JobListView>("v1/jobs", ApiJson.Options))!.Jobs.Select(j => j.Id).ToList();
            Assert.Equal(admitted.Where(a => a.Tenant == t).Select(a => a.Id).Order(), after.Except(before[t]).Order());
            clients[t].Dispose();
        }
    }
}
