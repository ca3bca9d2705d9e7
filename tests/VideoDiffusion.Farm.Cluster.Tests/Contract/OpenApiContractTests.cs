using System.Text.Json;

namespace VideoDiffusion.Farm.Cluster.Tests.Contract;

/// <summary>
/// The gateway's served OpenAPI document is the contract: Redocly's recommended rules find no error in it, and a client
/// generated from it by Kiota submits a job with an API key, follows it and downloads the video.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class OpenApiContractTests(FarmCluster cluster) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("farm-openapi-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task RedoclyRecommendedRulesFindNoErrorInTheServedDocument()
    {
        var document = await SaveDocumentAsync();
        var redocly = Path.Combine(RepositoryPaths.Root, "tools", "node", "node_modules", ".bin", "redocly");
        Assert.True(File.Exists(redocly), $"{redocly} is missing: run tools/prereqs.sh test");
        var result = await ToolProcess.RunAsync(redocly, ["lint", document, "--format=json"]);
        var json = result.Output[result.Output.IndexOf('{')..];
        using var report = JsonDocument.Parse(json);
        var totals = report.RootElement.GetProperty("totals");
        var problems = string.Join('\n', report.RootElement.GetProperty("problems").EnumerateArray()
            .Select(p => $"{p.GetProperty("severity").GetString()} {p.GetProperty("ruleId").GetString()}: {p.GetProperty("message").GetString()}"));
        Assert.True(totals.GetProperty("errors").GetInt32() == 0, problems);
        // the one warning left: the document names no licence, as the repository has none
        Assert.True(totals.GetProperty("warnings").GetInt32() <= 1, problems);
    }

    [Fact]
    public async Task AClientGeneratedByKiotaSubmitsFollowsAndDownloadsTheVideo()
    {
        var document = await SaveDocumentAsync();
        var dotnet = ServerProcess.FindExecutable("dotnet", "/usr/bin/dotnet");
        var restore = await ToolProcess.RunAsync(dotnet, ["tool", "restore"]);
        Assert.True(restore.ExitCode == 0, restore.ToString());
        var probe = Path.Combine(_dir, "probe");
        var generated = await ToolProcess.RunAsync(dotnet,
            ["kiota", "generate", "--language", "CSharp", "--openapi", document, "--output", Path.Combine(probe, "Client"),
             "--class-name", "FarmClient", "--namespace-name", "Farm.Client", "--exclude-backward-compatible", "--log-level", "Warning"]);
        Assert.True(generated.ExitCode == 0, generated.ToString());
        var template = Path.Combine(RepositoryPaths.Root, "tests", "VideoDiffusion.Farm.Cluster.Tests", "Contract", "GeneratedClient");
        File.Copy(Path.Combine(template, "Probe.csproj.txt"), Path.Combine(probe, "Probe.csproj"));
        File.Copy(Path.Combine(template, "Probe.cs.txt"), Path.Combine(probe, "Program.cs"));
        var built = await ToolProcess.RunAsync(dotnet, ["build", Path.Combine(probe, "Probe.csproj"), "-c", "Release", "-nologo", "-v", "quiet", "-o", Path.Combine(probe, "out")], timeout: TimeSpan.FromMinutes(6));
        Assert.True(built.ExitCode == 0, built.ToString());

        var video = Path.Combine(_dir, "video.mp4");
        var run = await ToolProcess.RunAsync(dotnet,
            [Path.Combine(probe, "out", "Probe.dll"), cluster.GatewayUri.ToString().TrimEnd('/'), FarmCluster.Keys["tenant-b"], video], timeout: TimeSpan.FromMinutes(5));
        Assert.True(run.ExitCode == 0, run.ToString());
        var bytes = await File.ReadAllBytesAsync(video);
        Assert.True(bytes.Length > 1000, $"{bytes.Length} bytes");
        Assert.Equal("ftyp", System.Text.Encoding.ASCII.GetString(bytes, 4, 4)); // an MP4
    }

    private async Task<string> SaveDocumentAsync()
    {
        using var http = cluster.Client(null);
        var path = Path.Combine(_dir, "openapi.json");
        await File.WriteAllTextAsync(path, await http.GetStringAsync("openapi/v1.json"));
        return path;
    }
}
