using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using VideoDiffusion.Farm.Abstractions;
using VideoDiffusion.Farm.Grains.Storage;
using VideoDiffusion.Farm.Grains.Tenants;

namespace VideoDiffusion.Farm.Grains.Tests;

/// <summary>Grain state in the artifact store: one blob per grain id, and writes conditional on the version read.</summary>
[Collection(FarmClusterCollection.Name)]
public sealed class FarmStorageTests(FarmClusterFixture fixture)
{
    private static readonly AdmissionLimits Limits = new(4, TimeSpan.FromHours(1), 100);

    [Fact]
    public async Task TenantsWhoseNamesDifferOnlyInPunctuationKeepTheirOwnJobs()
    {
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var dotted = fixture.Cluster.Client.GetGrain<ITenantGrain>($"team.{suffix}");
        var underscored = fixture.Cluster.Client.GetGrain<ITenantGrain>($"team_{suffix}");
        var job = await dotted.Admit(new RenderJobRequest { Prompt = "a red cube standing still in space", Seconds = 2, Steps = 2, Format = "y4m", Scale = 1 }, null, Limits);

        Assert.Equal([job.JobId], await dotted.JobIds(10));
        Assert.Empty(await underscored.JobIds(10));
        Assert.False(await underscored.Owns(job.JobId));
        Assert.NotEqual(FarmStorage.KeyOf("tenant", GrainId.Create("tenant", $"team.{suffix}")), FarmStorage.KeyOf("tenant", GrainId.Create("tenant", $"team_{suffix}")));
        await FarmJobs.WaitAsync(fixture.Cluster.Client, job.JobId, TimeSpan.FromMinutes(2));
    }

    [Fact]
    public async Task AWriteBasedOnAStaleReadIsRefused()
    {
        var storage = new FarmStorage(fixture.Store, fixture.Cluster.Silos[0].ServiceProvider.GetRequiredService<IGrainStorageSerializer>());
        var id = GrainId.Create("tenant", "etag-" + Guid.NewGuid().ToString("N")[..8]);

        // two writers that both saw nothing stored: the second is refused
        var first = new GrainState<TenantState>();
        var second = new GrainState<TenantState>();
        await storage.ReadStateAsync("tenant", id, first);
        await storage.ReadStateAsync("tenant", id, second);
        first.State!.Jobs.Add("job-1");
        await storage.WriteStateAsync("tenant", id, first);
        second.State!.Jobs.Add("job-2");
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("tenant", id, second));

        // a writer that read before the last write is refused; one that read after it succeeds
        var stale = new GrainState<TenantState>();
        await storage.ReadStateAsync("tenant", id, stale);
        first.State!.Jobs.Add("job-3");
        await storage.WriteStateAsync("tenant", id, first);
        stale.State!.Jobs.Add("job-4");
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("tenant", id, stale));
        var fresh = new GrainState<TenantState>();
        await storage.ReadStateAsync("tenant", id, fresh);
        Assert.Equal(["job-1", "job-3"], fresh.State!.Jobs);
        fresh.State!.Jobs.Add("job-5");
        await storage.WriteStateAsync("tenant", id, fresh);
    }
}
