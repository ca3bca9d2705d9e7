using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.Playwright;
using VideoDiffusion.Farm.Abstractions.Api;

namespace VideoDiffusion.Farm.Cluster.Tests;

/// <summary>
/// The live farm view while a job renders on the process cluster: <c>GET /v1/farm</c> (the owner sees its job, another
/// tenant only counts), the web page's Farm view in Chromium, and <c>farm top --once</c>.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class FarmViewTests(FarmCluster cluster, FarmViewRender render) : IClassFixture<FarmViewRender>
{
    private const string Chromium = "/usr/bin/chromium";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    /// <summary>Names of the silo processes running now (each reports to the farm view).</summary>
    private List<string> RunningSilos => Enumerable.Range(0, cluster.SiloCount).Where(cluster.IsRunning).Select(i => $"silo-{i}").ToList();

    [Fact]
    public async Task FarmApiListsTheSilosAndShowsAJobToItsOwnerByIdAndToOtherTenantsAsCountsOnly()
    {
        var jobId = await render.RunningJobAsync(cluster);
        using var owner = cluster.Client(FarmCluster.Keys[FarmViewRender.Owner]);
        var silos = RunningSilos;

        // the owner: every silo, one of them busy, its job by id with running windows
        var seen = await WaitForViewAsync(owner, v =>
            silos.All(name => v.Silos.Any(s => s.Name == name)) && v.Silos.Any(s => s.Utilization > 0 && s.WindowSteps > 0) &&
            v.Jobs.Any(j => j.Id == jobId && j.RunningWindows > 0));
        Assert.All(seen.Silos, s => Assert.InRange(s.Utilization, 0, 1));
        Assert.All(seen.Silos, s => Assert.All(s.UtilizationSeries, u => Assert.InRange(u, 0, 1)));
        Assert.Contains(seen.Silos, s => s.UtilizationSeries.Count > 0 && s.Slots > 0);
        var job = seen.Jobs.Single(j => j.Id == jobId);
        Assert.Equal(job.RunningWindows, job.Silos.Values.Sum());
        Assert.Equal(seen.Silos.Sum(s => s.RunningWindows), seen.Totals.RunningWindows);
        Assert.Equal(seen.Silos.Count, seen.Totals.Silos);

        // another tenant: the job only as counts; nothing of it by id, prompt or owner anywhere in the body
        using var observer = cluster.Client(FarmCluster.Keys[FarmViewRender.Observer]);
        using var response = await observer.GetAsync("v1/farm");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain(jobId, body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("capybara", body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(FarmViewRender.Owner, body, StringComparison.OrdinalIgnoreCase);
        var other = JsonSerializer.Deserialize<FarmView>(body, ApiJson.Options)!;
        Assert.DoesNotContain(other.Jobs, j => j.Id == jobId);
        Assert.True(other.OtherTenants.Jobs >= 1 && other.OtherTenants.RunningWindows >= 1,
            $"the observer does not count the render: {other.OtherTenants}");
        Assert.True(silos.All(name => other.Silos.Any(s => s.Name == name)), "the observer does not see every silo: " + body);

        // a read-only key reads the view too; no key or a wrong key gets the API's 401 problem
        using (var readOnly = cluster.Client(FarmCluster.ReadOnlyKey))
        {
            Assert.Equal(HttpStatusCode.OK, (await readOnly.GetAsync("v1/farm")).StatusCode);
        }
        foreach (var key in new[] { null, "not-a-key" })
        {
            using var refused = cluster.Client(key);
            using var problem = await refused.GetAsync("v1/farm");
            Assert.Equal(HttpStatusCode.Unauthorized, problem.StatusCode);
            Assert.Equal("application/problem+json", problem.Content.Headers.ContentType?.MediaType);
            Assert.Equal("apiKey", JsonDocument.Parse(await problem.Content.ReadAsStringAsync()).RootElement.GetProperty("field").GetString());
        }

        // documented in the OpenAPI document like the other routes
        using var anonymous = cluster.Client(null);
        var openApi = await anonymous.GetStringAsync("openapi/v1.json");
        Assert.Contains("\"/v1/farm\"", openApi, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FarmViewOnThePageShowsTheSilosAndABusyOneDuringARender()
    {
        Assert.True(File.Exists(Chromium), "Chromium is missing: run `bash tools/prereqs.sh test`");
        var jobId = await render.RunningJobAsync(cluster);
        var silos = RunningSilos;
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync"],
        });
        var page = await browser.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        await page.GotoAsync(cluster.GatewayUri.ToString());
        await page.FillAsync("#api-key", FarmCluster.Keys[FarmViewRender.Owner]);
        await page.DispatchEventAsync("#api-key", "change");

        // read the rendered table, not the API: silo names, the utilisation text, a drawn sparkline
        const string Rows = """
            () => JSON.stringify(Array.from(document.querySelectorAll('#farm-view #farm-silos tbody tr[data-silo]')).map(tr => ({
              silo: tr.dataset.silo,
              name: tr.querySelector('.silo-name').textContent,
              util: parseFloat(tr.querySelector('.util').textContent) || 0,
              spark: (tr.querySelector('svg.spark polyline').getAttribute('points') || '').trim().split(/\s+/).filter(p => p).length,
            })))
            """;
        var clock = Stopwatch.StartNew();
        List<FarmRow> rows = [];
        while (clock.Elapsed < Patience)
        {
            rows = JsonSerializer.Deserialize<List<FarmRow>>(await page.EvaluateAsync<string>(Rows), JsonSerializerOptions.Web)!;
            if (silos.All(name => rows.Any(r => r.Silo == name && r.Name == name)) && rows.Any(r => r.Util > 0 && r.Spark > 0))
            {
                break;
            }
            await Task.Delay(250);
        }
        var shown = string.Join(", ", rows.Select(r => $"{r.Name} {r.Util}% ({r.Spark} points)"));
        Assert.True(silos.All(name => rows.Any(r => r.Name == name)), $"the Farm view does not show {string.Join(", ", silos)}: {shown}");
        Assert.True(rows.Any(r => r.Util > 0), $"the Farm view shows no busy silo: {shown}");
        Assert.True(rows.Any(r => r.Spark > 0), $"the Farm view draws no sparkline: {shown}");

        // the owner's job is listed by id under "Your running jobs"
        await page.WaitForSelectorAsync($"#farm-jobs li[data-job='{jobId}']", new PageWaitForSelectorOptions { Timeout = 30_000 });
        if (Environment.GetEnvironmentVariable("FARM_TEST_SCREENSHOTS") is { Length: > 0 } folder)
        {
            await page.Locator("#farm-view").ScreenshotAsync(new LocatorScreenshotOptions { Path = Path.Combine(folder, "farm-view.png") });
        }
        Assert.Contains("Other tenants:", await page.TextContentAsync("#farm-others") ?? "");
        Assert.Empty(errors);
    }

    [Fact]
    public async Task FarmTopOncePrintsTheSilosTableAndRefusesAWrongKeyOrAMissingGateway()
    {
        await render.RunningJobAsync(cluster);
        var silos = RunningSilos;
        var environment = cluster.CliEnvironment(FarmViewRender.Owner);

        // a silo may take one report period to show after the render started: retry a few times
        ToolResult? top = null;
        for (var attempt = 0; attempt < 5; attempt++)
        {
            top = await FarmCli.RunAsync(environment, TimeSpan.FromSeconds(60), "top", "--once");
            if (top.ExitCode != 0 || silos.All(name => top.Transcript.Contains(name, StringComparison.Ordinal)))
            {
                break;
            }
            await Task.Delay(2000);
        }
        Assert.True(top!.ExitCode == 0, top.Transcript);
        Assert.Contains("SILO", top.Transcript);
        Assert.Contains("UTIL 5 MIN", top.Transcript);
        Assert.All(silos, name => Assert.Contains(name, top.Transcript));
        Assert.Contains("other tenants:", top.Transcript);

        var wrongKey = new Dictionary<string, string>(environment) { ["FARM_API_KEY"] = "not-a-key" };
        var refused = await FarmCli.RunAsync(wrongKey, TimeSpan.FromSeconds(60), "top", "--once");
        Assert.True(refused.ExitCode != 0, refused.Transcript);
        Assert.Contains("401", refused.Transcript);
        var noGateway = new Dictionary<string, string>(environment) { ["FARM_GATEWAY"] = $"http://127.0.0.1:{ServerProcess.FreeLoopbackPort()}" };
        var unreachable = await FarmCli.RunAsync(noGateway, TimeSpan.FromSeconds(60), "top", "--once");
        Assert.True(unreachable.ExitCode != 0, unreachable.Transcript);
        Assert.Contains("unreachable", unreachable.Transcript);
    }

    /// <summary>Polls <c>GET /v1/farm</c> until <paramref name="until"/> holds; fails with the last view otherwise.</summary>
    private static async Task<FarmView> WaitForViewAsync(HttpClient http, Func<FarmView, bool> until) =>
        (await Poll.UntilAsync(
            async () =>
            {
                using var response = await http.GetAsync("v1/farm");
                var body = await response.Content.ReadAsStringAsync();
                Assert.True(response.StatusCode == HttpStatusCode.OK, body);
                return (Body: body, View: JsonSerializer.Deserialize<FarmView>(body, ApiJson.Options)!);
            },
            last => until(last.View), Patience, TimeSpan.FromMilliseconds(500),
            last => $"the farm view did not get there in {Patience.TotalSeconds:0} s; last: {last.Body}")).View;

    /// <summary>A silo row as the page renders it.</summary>
    private sealed record FarmRow(string Silo, string Name, double Util, int Spark);
}
