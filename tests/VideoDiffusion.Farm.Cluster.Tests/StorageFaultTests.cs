namespace VideoDiffusion.Farm.Cluster.Tests;

/// <summary>Storage that fails under a running cluster: the farm carries on without restarting silos.</summary>
[Collection(ClusterCollection.Name)]
public sealed class StorageFaultTests(FarmCluster cluster)
{
    [Fact]
    public async Task AfterTheBlobServiceRestartsEmptyAJobInFlightEndsAndTheNextJobCompletesWithoutRestartingSilos()
    {
        // a cluster of its own on its own Azurite (the fixture's Redis), so restarting the blob service harms no other test
        var azurite = await AzuriteServer.StartAsync();
        var port = azurite.Port;
        try
        {
            var suffix = Guid.NewGuid().ToString("N")[..8];
            var clusterId = $"storage-{suffix}";
            string[] settings = [$"--Farm:ServiceId=storage-{suffix}", $"--Farm:Artifacts:ConnectionString={azurite.ConnectionString}"];
            var (silo, _, _) = await cluster.LaunchSiloAsync(clusterId, "storage-silo-0", settings);
            await using (silo)
            await using (var gateway = await cluster.LaunchServingGatewayAsync(clusterId, settings))
            {
                using var http = cluster.Client(FarmCluster.Keys["tenant-a"], gateway.Port);
                var first = await FarmJobs.SubmitAsync(http, new { prompt = "a red cube standing still in space", seconds = 2, steps = 2, scale = 1 });
                Assert.Equal("completed", (await FarmJobs.WaitAsync(http, first.Id, TimeSpan.FromMinutes(2))).State);

                // a job in flight when the blob service loses everything: it ends, completed or failed with a reason
                var inFlight = await FarmJobs.SubmitAsync(http, new { prompt = "a red ball moving right on the beach", seconds = 30, steps = 12, scale = 1 });
                await FarmJobs.WaitAsync(http, inFlight.Id, TimeSpan.FromMinutes(2), j => j.IsFinished || j.Progress > 0.2);
                await azurite.DisposeAsync();
                azurite = await AzuriteServer.StartAsync(port); // empty: no container, no blobs
                var ended = await FarmJobs.WaitAsync(http, inFlight.Id, TimeSpan.FromMinutes(3));
                Assert.True(ended.State == "completed" || (ended.State == "failed" && !string.IsNullOrEmpty(ended.Error)), $"{ended.State}: {ended.Error}");

                var second = await FarmJobs.SubmitAsync(http, new { prompt = "a blue ball moving left on the beach", seconds = 2, steps = 2, scale = 1 });
                var done = await FarmJobs.WaitAsync(http, second.Id, TimeSpan.FromMinutes(2));
                Assert.True(done.State == "completed", $"{done.State}: {done.Error}");
                var video = await http.GetByteArrayAsync(done.Video!.TrimStart('/'));
                Assert.NotEmpty(video);
                Assert.False(silo.HasExited);
            }
        }
        finally
        {
            await azurite.DisposeAsync();
        }
    }

    [Fact]
    public async Task ASiloKilledMidStitchLeavesNoTemporaryFileOnceItStartsAgainAndTheJobCompletes()
    {
        var scratch = Path.Combine(Path.GetTempPath(), "farm-stitch");
        using var http = cluster.Client(FarmCluster.Keys["tenant-b"]);
        var (job, _) = await cluster.SubmitAndWaitUntilStitchingAsync(http, "a green dog moving left on the grass");
        // the stitching silo's folder: the one holding this job's frames
        var folder = await Poll.UntilAsync(
            () => Task.FromResult(Directory.Exists(scratch)
                ? Directory.EnumerateDirectories(scratch).FirstOrDefault(d => Directory.EnumerateFiles(d, $"{job.Id}-*").Any())
                : null),
            f => f is not null, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(50), _ => "no stitch temporary file of the job appeared");
        var victim = Enumerable.Range(0, cluster.SiloCount).Single(i => Path.GetFileName(folder!).StartsWith($"silo-{i}-", StringComparison.Ordinal));
        cluster.KillSilo(victim);
        try
        {
            var done = await FarmJobs.WaitAsync(http, job.Id, TimeSpan.FromMinutes(4));
            Assert.True(done.State == "completed", $"{done.State}: {done.Error}");
            Assert.True(Directory.Exists(folder), "the killed silo's temporary folder vanished before a silo started again: the test proves nothing");
        }
        finally
        {
            await cluster.StartSiloAsync(victim);
        }
        Assert.False(Directory.Exists(folder), $"{folder} outlived the silo's restart");
    }
}
