using System.Net;
using System.Net.Http.Json;
using VideoDiffusion.Farm.Abstractions.Api;

namespace VideoDiffusion.Farm.Cluster.Tests;

/// <summary>Per-tenant cost budgets in window-steps and output pixels: per job (400) and over unfinished jobs (429).</summary>
[Collection(ClusterCollection.Name)]
public sealed class BudgetTests(FarmCluster cluster)
{
    // costs on moonwalk-tiny (64 × 64, 8 fps): 30 s at 12 steps = 288 window-steps; 8 s at 6 steps = 42 window-steps and
    // 262,144 pixels at scale 1 (16² times that at scale 16); 120 s at 12 steps = 1,092 window-steps
    [Fact]
    public async Task JobsOverTheBudgetAreRefusedNamingTheBudgetAndLeaveNoJob()
    {
        await using var gateway = await cluster.LaunchServingGatewayAsync(cluster.ClusterId,
            "--Farm:Gateway:Budget:MaxWindowStepsPerJob=500", "--Farm:Gateway:Budget:MaxOutputPixelsPerJob=10000000",
            "--Farm:Gateway:Budget:MaxWindowStepsInFlight=300", "--Farm:Gateway:Budget:MaxOutputPixelsInFlight=0");
        using var http = cluster.Client(FarmCluster.Keys["tenant-c"], gateway.Port);
        // the tenant's jobs other tests left unfinished would hold the in-flight budget this test measures
        await Poll.UntilAsync(() => http.GetFromJsonAsync<JobListView>("v1/jobs", ApiJson.Options), list => list!.Jobs.All(j => j.IsFinished),
            TimeSpan.FromMinutes(3), TimeSpan.FromSeconds(1), list => $"tenant-c still has unfinished jobs: {string.Join(", ", list?.Jobs.Where(j => !j.IsFinished).Select(j => j.Id) ?? [])}");
        var before = await JobIdsAsync(http);

        var tooLong = await ProblemAnswers.AssertAsync(await http.PostAsJsonAsync("v1/jobs", new { prompt = "a red ball", seconds = 120, steps = 12, scale = 1 }),
            HttpStatusCode.BadRequest, "budget.windowSteps");
        Assert.Contains("1092", tooLong.GetProperty("detail").GetString());
        await ProblemAnswers.AssertAsync(await http.PostAsJsonAsync("v1/jobs", new { prompt = "a red ball", seconds = 8, steps = 6, scale = 16 }),
            HttpStatusCode.BadRequest, "budget.outputPixels");
        Assert.Equal(before, await JobIdsAsync(http));

        var running = await FarmJobs.SubmitAsync(http, new { prompt = "a red ball moving right on the beach", seconds = 30, steps = 12, scale = 1 });
        try
        {
            await ProblemAnswers.AssertAsync(await http.PostAsJsonAsync("v1/jobs", new { prompt = "a red ball", seconds = 8, steps = 6, scale = 1 }),
                HttpStatusCode.TooManyRequests, "budget.windowSteps", retryAfter: true);
            Assert.False((await http.GetFromJsonAsync<JobView>($"v1/jobs/{running.Id}", ApiJson.Options))!.IsFinished, "the first job finished too soon: make it longer");
            Assert.Equal([running.Id, .. before], await JobIdsAsync(http));
        }
        finally
        {
            using var _ = await http.PostAsync($"v1/jobs/{running.Id}:cancel", null);
        }
        // once it is finished, its budget is free again
        var after = await FarmJobs.SubmitAsync(http, new { prompt = "a red ball", seconds = 8, steps = 6, scale = 1 });
        Assert.Equal("completed", (await FarmJobs.WaitAsync(http, after.Id, TimeSpan.FromMinutes(2))).State);
    }

    private static async Task<List<string>> JobIdsAsync(HttpClient http) =>
        (await http.GetFromJsonAsync<JobListView>("v1/jobs", ApiJson.Options))!.Jobs.Select(j => j.Id).ToList();
}
