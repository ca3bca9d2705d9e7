using System.Net.Http.Json;
using VideoDiffusion.Farm.Abstractions.Api;

namespace VideoDiffusion.Farm.Cluster.Tests;

/// <summary>
/// The render the farm view tests look at, shared by them: submitted on first use (again when the last one is nearly
/// done), cancelled when the tests are done so later tests find no unfinished job.
/// </summary>
public sealed class FarmViewRender : IAsyncLifetime
{
    /// <summary>The tenant that owns the render.</summary>
    public const string Owner = "tenant-c";

    /// <summary>A tenant that only sees the render as counts.</summary>
    public const string Observer = "tenant-b";

    /// <summary>Words no other test uses, so finding them in a body means this render's prompt leaked.</summary>
    public const string Prompt = "a magenta capybara dancing beside the spaceship";

    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly List<string> _submitted = [];
    private FarmCluster? _cluster;

    /// <summary>The id of a job of <see cref="Owner"/> that is running with at least one window-step done.</summary>
    public async Task<string> RunningJobAsync(FarmCluster cluster)
    {
        await _lock.WaitAsync();
        try
        {
            _cluster = cluster;
            using var http = cluster.Client(FarmCluster.Keys[Owner]);
            if (_submitted.Count > 0)
            {
                var last = await http.GetFromJsonAsync<JobView>($"v1/jobs/{_submitted[^1]}", ApiJson.Options);
                if (last is { IsFinished: false, Progress: < 0.6 })
                {
                    return last.Id;
                }
            }
            // long enough to still be running while the API, the page and the CLI look at it
            var job = await FarmJobs.SubmitAsync(http, new { prompt = Prompt, seconds = 30, steps = 20, scale = 1 });
            _submitted.Add(job.Id);
            var running = await FarmJobs.WaitAsync(http, job.Id, TimeSpan.FromMinutes(2), j => j.IsFinished || j.Progress > 0);
            Assert.False(running.IsFinished, $"the render ended before the farm view was looked at: {running.State} {running.Error}");
            return job.Id;
        }
        finally
        {
            _lock.Release();
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_cluster is null)
        {
            return;
        }
        using var http = _cluster.Client(FarmCluster.Keys[Owner]);
        foreach (var id in _submitted)
        {
            await http.PostAsync($"v1/jobs/{id}:cancel", null);
            await FarmJobs.WaitAsync(http, id, TimeSpan.FromMinutes(1));
        }
        _lock.Dispose();
    }
}
