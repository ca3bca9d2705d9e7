using System.Net.Http.Json;

namespace VideoDiffusion.Farm.Cluster.Tests;

/// <summary>One tenant's long, high-priority job does not starve another tenant's job.</summary>
[Collection(ClusterCollection.Name)]
public sealed class FairShareTests(FarmCluster cluster)
{
    [Fact]
    public async Task ASecondTenantsJobReachesHalfWayWhileTheFirstTenantsLongPriorityTenJobRuns()
    {
        using var first = cluster.Client(FarmCluster.Keys["tenant-a"]);
        using var second = cluster.Client(FarmCluster.Keys["tenant-d"]);
        // keyframes: past its short first pass, every window steps on its own with no waits for neighbours, so the job
        // keeps every slot's queue full; at priority 10 over the second tenant's 0 it would take every slot
        var hog = await FarmJobs.SubmitAsync(first, new
        {
            prompt = "a yellow dog walking right on the moon", seconds = FarmCluster.MaxSeconds, steps = 12, scale = 1, priority = 10, strategy = "keyframes",
        });
        try
        {
            await FarmJobs.WaitAsync(first, hog.Id, TimeSpan.FromMinutes(2), j => j.IsFinished || j.Progress > 0.15);
            var job = await FarmJobs.SubmitAsync(second, new { prompt = "a red ball moving left on the beach", seconds = 8, steps = 12, scale = 1 });
            var halfway = await FarmJobs.WaitAsync(second, job.Id, TimeSpan.FromMinutes(4), j => j.IsFinished || j.Progress >= 0.5);
            Assert.True(halfway.Progress >= 0.5 || halfway.State == "completed", $"{halfway.State}: {halfway.Error}");
            var long_ = await first.GetFromJsonAsync<Abstractions.Api.JobView>($"v1/jobs/{hog.Id}", Abstractions.Api.ApiJson.Options);
            Assert.True(long_!.State == "running", $"the first tenant's job is {long_.State} at {long_.Progress:P0}: make it longer");
        }
        finally
        {
            using var _ = await first.PostAsync($"v1/jobs/{hog.Id}:cancel", null);
        }
    }
}
