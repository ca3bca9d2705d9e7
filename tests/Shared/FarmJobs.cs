using System.Net;
using System.Net.Http.Json;
using VideoDiffusion.Farm.Abstractions;
using VideoDiffusion.Farm.Abstractions.Api;

namespace VideoDiffusion.Farm.Tests.Shared;

/// <summary>
/// A render job followed until it gets where a test waits for (finished, unless told otherwise), over either
/// transport: the gateway's HTTP API or grain calls into the job grain. Linked into the test projects that talk to
/// a farm (they reference the abstractions and Orleans).
/// </summary>
public static class FarmJobs
{
    /// <summary>Submits <paramref name="request"/> (the JSON body) with <c>POST v1/jobs</c>; the gateway must accept it.</summary>
    public static async Task<JobView> SubmitAsync(HttpClient http, object request)
    {
        using var response = await http.PostAsJsonAsync("v1/jobs", request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"POST v1/jobs: {(int)response.StatusCode} {body}");
        return System.Text.Json.JsonSerializer.Deserialize<JobView>(body, ApiJson.Options)!;
    }

    /// <summary>
    /// Polls <c>GET v1/jobs/{id}</c> every 200 ms (or <paramref name="every"/>) until <paramref name="until"/> (default:
    /// finished). A refused connection counts as no answer: the gateway or the job's silo may be restarting.
    /// </summary>
    /// <param name="polled">Called with every view the gateway returns (work a test does while the job runs).</param>
    public static Task<JobView> WaitAsync(
        HttpClient http, string id, TimeSpan timeout, Func<JobView, bool>? until = null, Func<JobView, Task>? polled = null, TimeSpan? every = null) =>
        Poll.UntilAsync(
            async () => (await http.GetFromJsonAsync<JobView>($"v1/jobs/{id}", ApiJson.Options))!,
            until ?? (j => j.IsFinished),
            timeout, every ?? TimeSpan.FromMilliseconds(200),
            last => $"job {id} did not get there in {timeout.TotalSeconds:0} s; last state {last?.State} {last?.Progress:P0} {last?.Error}",
            transient: e => e is HttpRequestException,
            polled: polled);

    /// <summary>Polls the job grain's status every 100 ms until <paramref name="until"/> (default: finished).</summary>
    /// <param name="polled">Called after every poll; each one is a call into the job grain too.</param>
    public static Task<JobStatus> WaitAsync(
        IGrainFactory grains, string id, TimeSpan timeout, Func<JobStatus, bool>? until = null, Action? polled = null) =>
        Poll.UntilAsync(
            () => grains.GetGrain<IRenderJobGrain>(id).GetStatus(),
            until ?? (s => s.IsFinished),
            timeout, TimeSpan.FromMilliseconds(100),
            last => $"job {id} still {last?.State} ({last?.WindowsDone}/{last?.WindowsTotal} windows, progress {string.Join(",", last?.WindowProgress ?? [])}) after {timeout}",
            polled: _ =>
            {
                polled?.Invoke();
                return Task.CompletedTask;
            });
}
