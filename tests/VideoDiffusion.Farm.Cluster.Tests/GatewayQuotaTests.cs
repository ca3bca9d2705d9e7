using System.Net;
using System.Net.Http.Json;
using System.Text;
using VideoDiffusion.Farm.Abstractions.Api;

namespace VideoDiffusion.Farm.Cluster.Tests;

/// <summary>The gateway's cost quotas: a storyboard's end counts against the longest clip; synthetic models are offered only when enabled.</summary>
[Collection(ClusterCollection.Name)]
public sealed class GatewayQuotaTests(FarmCluster cluster)
{
    private const string SyntheticModel = "synthetic-wan-shape";

    [Theory]
    [InlineData("""{"storyboard":[{"prompt":"a red ball","from":0,"to":3600}],"fps":60}""")]
    [InlineData("""{"storyboard":[{"prompt":"a red ball","from":0,"to":60},{"prompt":"a blue cube","from":60,"to":121}]}""")]
    public async Task StoryboardEndingPastTheLongestClipIsRefusedOnStoryboardAndLeavesNoJob(string body)
    {
        using var http = cluster.Client(FarmCluster.Keys["tenant-c"]);
        var before = await JobIdsAsync(http);
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await http.PostAsync("v1/jobs", content);
        var problem = await ProblemAnswers.AssertAsync(response, HttpStatusCode.BadRequest, "storyboard");
        Assert.Contains($"{FarmCluster.MaxSeconds}", problem.GetProperty("detail").GetString());
        Assert.Equal(before, await JobIdsAsync(http));
    }

    [Fact]
    public async Task SyntheticModelsAreHiddenAndRefusedUnlessTheGatewayOffersThem()
    {
        using (var http = cluster.Client(FarmCluster.Keys["tenant-c"]))
        {
            var offered = await ModelNamesAsync(http);
            Assert.Contains("moonwalk-tiny", offered);
            Assert.DoesNotContain(SyntheticModel, offered);
            var before = await JobIdsAsync(http);
            using var response = await http.PostAsJsonAsync("v1/jobs", new { prompt = "a red ball", model = SyntheticModel, seconds = 2 });
            await ProblemAnswers.AssertAsync(response, HttpStatusCode.BadRequest, "model");
            Assert.Equal(before, await JobIdsAsync(http));
        }

        await using var gateway = await cluster.LaunchGatewayAsync(cluster.ClusterId, "--Farm:Gateway:AllowSyntheticModels=true");
        using (var http = cluster.Client(FarmCluster.Keys["tenant-c"], gateway.Port))
        {
            await FarmCluster.WaitUntilServingAsync(http, gateway);
            Assert.Contains(SyntheticModel, await ModelNamesAsync(http));
            // past the gateway, the job grain judges the request against the model: here it refuses the steps, not the model
            using var response = await http.PostAsJsonAsync("v1/jobs", new { prompt = "a red ball", model = SyntheticModel, seconds = 2, steps = 0 });
            await ProblemAnswers.AssertAsync(response, HttpStatusCode.BadRequest, "steps");
        }
    }

    private static async Task<List<string>> ModelNamesAsync(HttpClient http) =>
        (await http.GetFromJsonAsync<ModelListView>("v1/models", ApiJson.Options))!.Models.Select(m => m.Name).ToList();

    private static async Task<List<string>> JobIdsAsync(HttpClient http) =>
        (await http.GetFromJsonAsync<JobListView>("v1/jobs", ApiJson.Options))!.Jobs.Select(j => j.Id).ToList();
}
