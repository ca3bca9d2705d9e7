using StackExchange.Redis;

namespace VideoDiffusion.Farm.Cluster.Tests;

/// <summary>Redis (membership, grain state, reminders) restarting empty under a running cluster: the farm carries on without restarting silos.</summary>
[Collection(ClusterCollection.Name)]
public sealed class RedisRestartTests(FarmCluster cluster)
{
    [Fact]
    public async Task AfterRedisRestartsEmptyAJobInFlightEndsAndTheNextJobCompletesWithoutRestartingSilosOrTheGateway()
    {
        // a cluster of its own on its own Redis (the fixture's Azurite), so restarting Redis harms no other test
        var redis = await RedisServer.StartAsync();
        var port = redis.Port;
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var clusterId = $"redis-{suffix}";
        string[] settings = [$"--Farm:RedisConnection={redis.ConnectionString}"];
        var silos = new List<(ServerProcess Process, int SiloPort)>();
        try
        {
            for (var i = 0; i < 2; i++)
            {
                var (silo, siloPort, _) = await cluster.LaunchSiloAsync(clusterId, $"redis-silo-{i}", settings);
                silos.Add((silo, siloPort));
            }
            await using var gateway = await cluster.LaunchServingGatewayAsync(clusterId, settings);
            using var http = cluster.Client(FarmCluster.Keys["tenant-a"], gateway.Port);

            // a job in flight when Redis loses everything: it ends, completed or failed with a reason
            var inFlight = await FarmJobs.SubmitAsync(http, new { prompt = "a red ball moving right on the beach", seconds = 30, steps = 12, scale = 1 });
            var running = await FarmJobs.WaitAsync(http, inFlight.Id, TimeSpan.FromMinutes(2), j => j.IsFinished || j.Progress > 0.2);
            Assert.False(running.IsFinished, "the job finished before Redis restarted: make it longer");
            await redis.DisposeAsync();
            redis = await RedisServer.StartAsync(port: port); // empty: no membership rows, no grain state, no reminders
            var ended = await FarmJobs.WaitAsync(http, inFlight.Id, TimeSpan.FromMinutes(3));
            Assert.True(ended.State == "completed" || (ended.State == "failed" && !string.IsNullOrEmpty(ended.Error)), $"{ended.State}: {ended.Error}");

            var next = await FarmJobs.SubmitAsync(http, new { prompt = "a blue ball moving left on the beach", seconds = 2, steps = 2, scale = 1 });
            var done = await FarmJobs.WaitAsync(http, next.Id, TimeSpan.FromMinutes(2));
            Assert.True(done.State == "completed", $"{done.State}: {done.Error}");
            Assert.NotEmpty(await http.GetByteArrayAsync(done.Video!.TrimStart('/')));

            // the silos wrote their membership rows back: a gateway started now finds the cluster and serves
            await MembershipRowsAsync(redis, clusterId, silos.Select(s => s.SiloPort));
            await using (var later = await cluster.LaunchServingGatewayAsync(clusterId, settings))
            {
                using var laterHttp = cluster.Client(FarmCluster.Keys["tenant-b"], later.Port);
                var third = await FarmJobs.SubmitAsync(laterHttp, new { prompt = "a green cube moving left on the grass", seconds = 2, steps = 2, scale = 1 });
                var thirdDone = await FarmJobs.WaitAsync(laterHttp, third.Id, TimeSpan.FromMinutes(2));
                Assert.True(thirdDone.State == "completed", $"{thirdDone.State}: {thirdDone.Error}");
            }
            Assert.All(silos, s => Assert.False(s.Process.HasExited, "a silo exited: " + s.Process.StandardOutput));
            Assert.False(gateway.HasExited, "the gateway exited: " + gateway.StandardOutput);
        }
        finally
        {
            foreach (var (silo, _) in silos)
            {
                silo.Kill();
            }
            await redis.DisposeAsync();
        }
    }

    /// <summary>Waits until the cluster's membership hash in Redis has a row of every silo port given.</summary>
    private static Task MembershipRowsAsync(RedisServer redis, string clusterId, IEnumerable<int> siloPorts) =>
        Poll.UntilAsync(
            async () =>
            {
                await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
                var rows = await connection.GetDatabase().HashKeysAsync($"videodiffusion-farm/members/{clusterId}");
                return rows.Select(r => r.ToString()).ToList();
            },
            rows => siloPorts.All(port => rows.Any(r => r.Contains($":{port}@", StringComparison.Ordinal) || r.Contains($":{port}:", StringComparison.Ordinal))),
            TimeSpan.FromMinutes(1), TimeSpan.FromMilliseconds(500), rows => "membership rows: " + string.Join(", ", rows ?? []));
}
