using System.Net.Http.Json;
using System.Text.Json.Nodes;
using VideoDiffusion.Farm.Abstractions.Api;
using VideoDiffusion.Farm.Diffusion.Models;

namespace VideoDiffusion.Farm.Cluster.Tests;

/// <summary>
/// Model identity in clusters whose silos' moonwalk-tiny folders differ in one file: the model list shows both content
/// hashes, a job runs all its windows on the silos serving the hash it was planned with, and while none does it waits
/// and says why.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ModelIdentityTests(FarmCluster cluster) : IDisposable
{
    private const string Model = "moonwalk-tiny";
    private const string Prompt = "a yellow rocket moving right in space";
    private readonly string _modelsB = Directory.CreateTempSubdirectory("farm-models-b-").FullName;

    public void Dispose() => TempFolder.TryDelete(_modelsB);

    [Fact]
    public async Task JobsRunOnlyOnSilosServingTheHashTheyWerePlannedWith()
    {
        var hashA = ModelContentHash.Of(ModelManifestLoader.Load(RepositoryPaths.MoonwalkTiny));
        var hashB = ModelContentHash.Of(ModelManifestLoader.Load(CopyWithAnotherDescription()));
        Assert.NotEqual(hashA, hashB);

        var suffix = Guid.NewGuid().ToString("N")[..8];
        string[] settings = [$"--Farm:ServiceId=identity-{suffix}"];
        var clusterId = $"identity-{suffix}";
        var (siloA, _, metricsA) = await cluster.LaunchSiloAsync(clusterId, "identity-silo-a", settings);
        await using (siloA)
        {
            var (siloB, _, metricsB) = await cluster.LaunchSiloAsync(clusterId, "identity-silo-b", [.. settings, $"--Farm:Accelerator:ModelsRoot={_modelsB}"]);
            await using (siloB)
            await using (var gateway = await cluster.LaunchServingGatewayAsync(clusterId, settings))
            {
                using var http = cluster.Client(FarmCluster.Keys["tenant-a"], gateway.Port);
                var listed = await Poll.UntilAsync(
                    async () => (await http.GetFromJsonAsync<ModelListView>("v1/models", ApiJson.Options))!.Models.Single(m => m.Name == Model),
                    m => m.Hashes.Count == 2, TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(500),
                    m => $"/v1/models does not show both silos' hashes: {string.Join(", ", m?.Hashes ?? [])}");
                Assert.Equal(new[] { hashA, hashB }.Order(StringComparer.Ordinal), listed.Hashes.Select(h => h.Hash).Order(StringComparer.Ordinal));
                Assert.All(listed.Hashes, h => Assert.Equal(1, h.Silos));

                var reference = ReferenceRenders.Y4mAsync(Prompt, "--seconds", "8", "--steps", "4", "--scale", "1");
                var job = await FarmJobs.SubmitAsync(http, new { prompt = Prompt, seconds = 8, steps = 4, scale = 1, format = "y4m" });
                var done = await FarmJobs.WaitAsync(http, job.Id, TimeSpan.FromMinutes(3));
                Assert.True(done.State == "completed", $"{done.State}: {done.Error}");
                Assert.Contains(done.ModelHash, new[] { hashA, hashB });
                Assert.Null(done.Waiting);

                var (serving, other) = done.ModelHash == hashA ? (metricsA, metricsB) : (metricsB, metricsA);
                Assert.True(await WindowStepsAsync(serving) > 0, "the silo serving the job's hash ran no window-step");
                Assert.Equal(0, await WindowStepsAsync(other));
                var video = await http.GetByteArrayAsync(done.Video!.TrimStart('/'));
                var expected = await reference;
                Assert.True(video.SequenceEqual(expected), "the video differs from the reference render");
            }
        }
    }

    [Fact]
    public async Task AJobWhoseHashNoSiloServesWaitsSayingWhyAndGoesOnWhenOneReturns()
    {
        var hashB = ModelContentHash.Of(ModelManifestLoader.Load(CopyWithAnotherDescription()));
        var suffix = Guid.NewGuid().ToString("N")[..8];
        string[] settings = [$"--Farm:ServiceId=identity-{suffix}"];
        string[] modelsB = [.. settings, $"--Farm:Accelerator:ModelsRoot={_modelsB}"];
        var clusterId = $"identity-{suffix}";
        // a silo without slots keeps the cluster (and the job grain) up while the accelerator silos come and go
        var (host, _, _) = await cluster.LaunchSiloAsync(clusterId, "identity-host", [.. settings, "--Farm:Accelerator:Slots=0"]);
        await using (host)
        {
            var (siloB, _, _) = await cluster.LaunchSiloAsync(clusterId, "identity-silo-b", modelsB);
            await using var killed = siloB; // killed below; disposed here if the test ends earlier
            await using var gateway = await cluster.LaunchServingGatewayAsync(clusterId, settings);
            using var http = cluster.Client(FarmCluster.Keys["tenant-a"], gateway.Port);
            var reference = ReferenceRenders.Y4mAsync(Prompt, "--seconds", "30", "--steps", "12", "--scale", "1");
            var job = await FarmJobs.SubmitAsync(http, new { prompt = Prompt, seconds = 30, steps = 12, scale = 1, format = "y4m" });
            var started = await FarmJobs.WaitAsync(http, job.Id, TimeSpan.FromMinutes(3), j => j.IsFinished || j.Progress >= 0.1);
            Assert.False(started.IsFinished, "the job finished before its silo could be stopped: make it longer");
            Assert.Equal(hashB, started.ModelHash);
            siloB.Kill();

            // silo A serves moonwalk-tiny, but with the repository's files: another hash
            var (siloA, _, metricsA) = await cluster.LaunchSiloAsync(clusterId, "identity-silo-a", settings);
            await using (siloA)
            {
                var waiting = await FarmJobs.WaitAsync(http, job.Id, TimeSpan.FromSeconds(90), j => j.IsFinished || j.Waiting is not null);
                Assert.Equal("running", waiting.State);
                Assert.Contains($"no accelerator silo serves model '{Model}' with content hash {hashB}", waiting.Waiting);

                var (siloB2, _, _) = await cluster.LaunchSiloAsync(clusterId, "identity-silo-b", modelsB);
                await using (siloB2)
                {
                    var done = await FarmJobs.WaitAsync(http, job.Id, TimeSpan.FromMinutes(4));
                    Assert.True(done.State == "completed", $"{done.State}: {done.Error}");
                    Assert.Null(done.Waiting);
                    Assert.Equal(hashB, done.ModelHash);
                    Assert.Equal(0, await WindowStepsAsync(metricsA));
                    var video = await http.GetByteArrayAsync(done.Video!.TrimStart('/'));
                    var expected = await reference;
                    Assert.True(video.SequenceEqual(expected), "the video differs from the reference render");
                }
            }
        }
    }

    /// <summary>moonwalk-tiny copied into silo B's model folder with another description in its manifest; returns the copy's folder.</summary>
    private string CopyWithAnotherDescription()
    {
        var folder = Directory.CreateDirectory(Path.Combine(_modelsB, Model)).FullName;
        foreach (var file in Directory.GetFiles(RepositoryPaths.MoonwalkTiny))
        {
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        }
        var manifestPath = Path.Combine(folder, ModelManifestLoader.ManifestFileName);
        var manifest = JsonNode.Parse(File.ReadAllText(manifestPath))!;
        manifest["description"] = "the same weights, described by another team";
        File.WriteAllText(manifestPath, manifest.ToJsonString());
        return folder;
    }

    /// <summary>The window-steps a silo has denoised, from its <c>/metrics</c>.</summary>
    private static async Task<double> WindowStepsAsync(int metricsPort)
    {
        using var http = new HttpClient();
        var text = await http.GetStringAsync($"http://127.0.0.1:{metricsPort}/metrics");
        return text.Split('\n').Where(line => line.StartsWith("farm_window_steps_total", StringComparison.Ordinal))
            .Sum(line => double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }
}
