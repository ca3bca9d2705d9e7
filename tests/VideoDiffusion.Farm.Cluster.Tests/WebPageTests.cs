using Microsoft.Playwright;

namespace VideoDiffusion.Farm.Cluster.Tests;

/// <summary>The gateway's web page in Debian's Chromium (driven by Playwright): a refused setting, submit, live progress, the video plays.</summary>
[Collection(ClusterCollection.Name)]
public sealed class WebPageTests(FarmCluster cluster)
{
    private const string Chromium = "/usr/bin/chromium";

    [Fact]
    public async Task SubmitFromThePageSeesProgressAndPlaysTheFinishedVideo()
    {
        Assert.True(File.Exists(Chromium), "Chromium is missing: run `bash tools/prereqs.sh test`");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            // no sandbox as root; no background traffic, which this machine's closed network refuses
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--autoplay-policy=no-user-gesture-required"],
        });
        var page = await browser.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        await page.GotoAsync(cluster.GatewayUri.ToString());

        await page.FillAsync("#api-key", FarmCluster.Keys["tenant-d"]);
        await page.CheckAsync("#mode-prompt");
        await page.FillAsync("#prompt", "Bluey walking on the moon after coming out of the spaceship");
        await page.FillAsync("#seconds", "30");
        await page.FillAsync("#steps", "12");

        // a setting the gateway refuses comes back to the input it belongs to
        await page.FillAsync("#sync-every", "-1");
        await page.ClickAsync("#submit");
        await page.Locator("#error").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Visible, Timeout = 30_000 });
        Assert.Contains("syncEvery", await page.TextContentAsync("#error") ?? "");
        Assert.Equal("true", await page.GetAttributeAsync("#sync-every", "aria-invalid"));

        await page.FillAsync("#sync-every", "1");
        await page.FillAsync("#guidance-focus", "9");
        await page.ClickAsync("#submit");
        await page.WaitForFunctionAsync("() => document.querySelector('#guidance-focus').getAttribute('aria-invalid') === 'true'",
            null, new PageWaitForFunctionOptions { Timeout = 30_000 });
        Assert.Contains("guidanceFocus", await page.TextContentAsync("#error") ?? "");
        Assert.Null(await page.GetAttributeAsync("#sync-every", "aria-invalid"));

        await page.FillAsync("#guidance-focus", "1");
        await page.SelectOptionAsync("#blend", "cosine");
        await page.SelectOptionAsync("#anchors", "auto");
        // the model list says moonwalk-tiny has a first-frame model; the page offers to turn it off
        await page.WaitForFunctionAsync("() => document.querySelector('#first-frame').options[0].textContent === 'model default (on)'",
            null, new PageWaitForFunctionOptions { Timeout = 30_000 });
        await page.SelectOptionAsync("#first-frame", "false");
        await page.ClickAsync("#submit");

        // watch the page, not the API: the percentages it shows while the job runs
        var shown = new List<string>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromMinutes(5))
        {
            var state = await page.TextContentAsync("#state") ?? "";
            var done = await page.Locator("#grid .cell.done").CountAsync();
            shown.Add($"{state}:{done}");
            if (state is "completed" or "failed" or "cancelled")
            {
                break;
            }
            await Task.Delay(100);
        }
        Assert.Equal("completed", (await page.TextContentAsync("#state"))?.Trim());
        var progressSteps = shown.Where(s => s.StartsWith("running:", StringComparison.Ordinal)).Distinct().Count();
        Assert.True(progressSteps >= 2, "the grid did not update while running: " + string.Join(' ', shown.Distinct()));
        var jobId = (await page.Locator("#job-id").TextContentAsync())?.Trim();
        Assert.False(string.IsNullOrEmpty(jobId));
        using var http = cluster.Client(FarmCluster.Keys["tenant-d"]);
        Assert.False((await FarmJobs.WaitAsync(http, jobId, TimeSpan.FromMinutes(1))).FirstFrame, "the page did not send firstFrame: false");

        var video = page.Locator("#video");
        await video.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Visible, Timeout = 30_000 });
        var duration = await page.EvaluateAsync<double>(
            "() => new Promise((resolve, reject) => { const v = document.querySelector('#video');" +
            " if (v.readyState >= 1) return resolve(v.duration);" +
            " v.addEventListener('loadedmetadata', () => resolve(v.duration)); v.addEventListener('error', () => reject(new Error('video error ' + (v.error && v.error.code)))); })");
        Assert.True(duration > 0, $"duration {duration}");
        await page.EvaluateAsync("() => { const v = document.querySelector('#video'); v.muted = true; return v.play(); }");
        await page.WaitForFunctionAsync("() => document.querySelector('#video').currentTime > 0", null, new PageWaitForFunctionOptions { Timeout = 30_000 });
        Assert.Empty(errors);
    }
}
