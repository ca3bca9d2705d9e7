using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using VideoDiffusion.Farm.Abstractions.Api;

namespace VideoDiffusion.Farm.Cluster.Tests;

/// <summary>
/// Load on one gateway for a fixed time, in bounded loops: status polls paced to a rate (a late poll is skipped, never
/// caught up in a burst) and event streams held open, reconnected when the gateway ends them or after a refusal's
/// <c>Retry-After</c>. Every answer is tallied by status code; answers a client could not act on are kept as violations.
/// </summary>
public sealed class GatewayLoad
{
    private const int PollWorkers = 500;
    private const int ViolationsKept = 10;

    private readonly ConcurrentDictionary<int, int> _statuses = new();
    private readonly ConcurrentQueue<string> _violations = new();
    private long _transportErrors;
    private long _streamsOpened;
    private long _events;
    private long _violationCount;

    /// <summary>Answers per status code.</summary>
    public IReadOnlyDictionary<int, int> Statuses => _statuses;

    /// <summary>Answers and transport errors together.</summary>
    public long Requests => _statuses.Values.Sum() + TransportErrors;

    /// <summary>Requests that got no HTTP answer (refused, reset, timed out).</summary>
    public long TransportErrors => Interlocked.Read(ref _transportErrors);

    public long StreamsOpened => Interlocked.Read(ref _streamsOpened);

    /// <summary>Status events received over all streams.</summary>
    public long Events => Interlocked.Read(ref _events);

    /// <summary>5xx other than 503 with <c>Retry-After</c>, and 429 without it (the first few, described).</summary>
    public IReadOnlyCollection<string> Violations => _violations;

    public long ViolationCount => Interlocked.Read(ref _violationCount);

    /// <summary>Polls <c>GET v1/jobs/{id}</c> at <paramref name="pollsPerSecond"/> and holds <paramref name="streams"/> event streams of the job for <paramref name="duration"/>.</summary>
    public async Task RunAsync(Uri gateway, string key, string jobId, int streams, int pollsPerSecond, TimeSpan duration)
    {
        using var end = new CancellationTokenSource(duration);
        using var polls = Client(gateway, key, PollWorkers + 10, TimeSpan.FromSeconds(30));
        using var events = Client(gateway, key, streams + 10, Timeout.InfiniteTimeSpan);
        var period = TimeSpan.FromSeconds((double)PollWorkers / pollsPerSecond);
        var started = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, PollWorkers)
            .Select(i => PollAsync(polls, $"v1/jobs/{jobId}", period * i / PollWorkers, period, started, end.Token))
            .Concat(Enumerable.Range(0, streams).Select(_ => StreamAsync(events, $"v1/jobs/{jobId}/events", end.Token)));
        await Task.WhenAll(workers);
    }

    private static HttpClient Client(Uri gateway, string key, int connections, TimeSpan timeout)
    {
        var handler = new SocketsHttpHandler { MaxConnectionsPerServer = connections, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
        var http = new HttpClient(handler) { BaseAddress = gateway, Timeout = timeout };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return http;
    }

    private async Task PollAsync(HttpClient http, string path, TimeSpan offset, TimeSpan period, Stopwatch clock, CancellationToken end)
    {
        var next = offset;
        while (!end.IsCancellationRequested)
        {
            var wait = next - clock.Elapsed;
            if (wait > TimeSpan.Zero && !await DelayAsync(wait, end))
            {
                return;
            }
            // paced from the planned time, but a poll that is late moves the plan instead of firing a burst
            next = TimeSpan.FromTicks(Math.Max(next.Ticks, clock.Elapsed.Ticks)) + period;
            try
            {
                using var response = await http.GetAsync(path, end);
                await response.Content.LoadIntoBufferAsync(end);
                await TallyAsync(response, end);
            }
            catch (OperationCanceledException) when (end.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                Interlocked.Increment(ref _transportErrors);
            }
        }
    }

    private async Task StreamAsync(HttpClient http, string path, CancellationToken end)
    {
        while (!end.IsCancellationRequested)
        {
            var retryAfter = TimeSpan.FromSeconds(1);
            try
            {
                using var response = await http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, end);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    await response.Content.LoadIntoBufferAsync(end);
                    await TallyAsync(response, end);
                    retryAfter = response.Headers.RetryAfter?.Delta ?? retryAfter;
                }
                else
                {
                    await TallyAsync(response, end);
                    Interlocked.Increment(ref _streamsOpened);
                    if (await ReadUntilFinishedAsync(response, end))
                    {
                        return; // the job finished: a stream of it would end at once, again and again
                    }
                    continue; // the gateway ended the stream: reconnect, as an EventSource does
                }
            }
            catch (OperationCanceledException) when (end.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpRequestException or IOException)
            {
                Interlocked.Increment(ref _transportErrors);
            }
            if (!await DelayAsync(retryAfter, end))
            {
                return;
            }
        }
    }

    /// <summary>Reads the stream until the gateway ends it; whether its last status was a finished job.</summary>
    private async Task<bool> ReadUntilFinishedAsync(HttpResponseMessage response, CancellationToken end)
    {
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(end));
        var finished = false;
        while (await reader.ReadLineAsync(end) is { } line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _events);
                finished = JsonSerializer.Deserialize<JobView>(line["data: ".Length..], ApiJson.Options)!.IsFinished;
            }
        }
        return finished;
    }

    private async Task TallyAsync(HttpResponseMessage response, CancellationToken end)
    {
        var code = (int)response.StatusCode;
        _statuses.AddOrUpdate(code, 1, (_, n) => n + 1);
        var retryAfter = response.Headers.RetryAfter is not null;
        var violation = code >= 500 ? code != 503 || !retryAfter : code == 429 && !retryAfter;
        if (violation && Interlocked.Increment(ref _violationCount) <= ViolationsKept)
        {
            var body = code == 200 ? "" : await response.Content.ReadAsStringAsync(end);
            _violations.Enqueue($"{code} {response.RequestMessage?.RequestUri?.AbsolutePath} Retry-After={response.Headers.RetryAfter}: {body}");
        }
    }

    private static async Task<bool> DelayAsync(TimeSpan wait, CancellationToken end)
    {
        try
        {
            await Task.Delay(wait, end);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
