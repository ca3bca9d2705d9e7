using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text.Json;
using VideoDiffusion.Farm.Abstractions;
using VideoDiffusion.Farm.Abstractions.Api;

namespace VideoDiffusion.Farm.Cli.Cluster;

/// <summary>A refusal from the gateway: its status and the problem+json field and detail.</summary>
public sealed class GatewayException(int status, string field, string detail) : Exception(detail)
{
    public int Status { get; } = status;

    public string Field { get; } = field;
}

/// <summary>The REST API of a gateway, as the <c>farm</c> cluster commands use it.</summary>
public sealed class GatewayClient : IDisposable
{
    private readonly HttpClient _http;

    public GatewayClient(Uri gateway, string apiKey)
    {
        _http = new HttpClient { BaseAddress = gateway, Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
    }

    public async Task<JobView> SubmitAsync(RenderJobRequest submission, string idempotencyKey, CancellationToken cancellation)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/jobs") { Content = JsonContent.Create(submission, options: ApiJson.Options) };
        request.Headers.Add("Idempotency-Key", idempotencyKey);
        return await SendAsync<JobView>(request, cancellation);
    }

    public Task<JobView> StatusAsync(string id, CancellationToken cancellation) =>
        SendAsync<JobView>(new HttpRequestMessage(HttpMethod.Get, $"v1/jobs/{Uri.EscapeDataString(id)}"), cancellation);

    public Task<JobListView> JobsAsync(CancellationToken cancellation) => SendAsync<JobListView>(new HttpRequestMessage(HttpMethod.Get, "v1/jobs"), cancellation);

    /// <summary>The live farm view (<c>GET /v1/farm</c>).</summary>
    public async Task<FarmView> FarmAsync(CancellationToken cancellation)
    {
        // a refreshing view must not hang on a gateway that accepts the connection and never answers
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(FarmTimeout);
        try
        {
            return await SendAsync<FarmView>(new HttpRequestMessage(HttpMethod.Get, "v1/farm"), timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            throw new HttpRequestException($"the gateway did not answer within {FarmTimeout.TotalSeconds:0} s");
        }
    }

    private static readonly TimeSpan FarmTimeout = TimeSpan.FromSeconds(10);

    public Task<JobView> CancelAsync(string id, CancellationToken cancellation) =>
        SendAsync<JobView>(new HttpRequestMessage(HttpMethod.Post, $"v1/jobs/{Uri.EscapeDataString(id)}:cancel"), cancellation);

    public async Task<long> DownloadAsync(string id, string path, CancellationToken cancellation)
    {
        using var response = await _http.GetAsync($"v1/jobs/{Uri.EscapeDataString(id)}/video", HttpCompletionOption.ResponseHeadersRead, cancellation);
        await ThrowIfFailedAsync(response, cancellation);
        var temporary = path + ".part";
        await using (var file = File.Create(temporary))
        {
            await response.Content.CopyToAsync(file, cancellation);
        }
        File.Move(temporary, path, overwrite: true);
        return new FileInfo(path).Length;
    }

    /// <summary>The job's status events until the stream ends (the job finished) or breaks (the caller reconnects).</summary>
    public async IAsyncEnumerable<JobView> EventsAsync(string id, [EnumeratorCancellation] CancellationToken cancellation)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"v1/jobs/{Uri.EscapeDataString(id)}/events");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellation);
        await ThrowIfFailedAsync(response, cancellation);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellation);
        using var reader = new StreamReader(stream);
        var data = new System.Text.StringBuilder();
        while (await reader.ReadLineAsync(cancellation) is { } line)
        {
            if (line.StartsWith("data:", StringComparison.Ordinal))
            {
                data.Append(line.AsSpan(5).TrimStart());
            }
            else if (line.Length == 0 && data.Length > 0)
            {
                var view = JsonSerializer.Deserialize<JobView>(data.ToString(), ApiJson.Options);
                data.Clear();
                if (view is not null)
                {
                    yield return view;
                }
            }
        }
    }

    public void Dispose() => _http.Dispose();

    private async Task<T> SendAsync<T>(HttpRequestMessage request, CancellationToken cancellation)
    {
        using (request)
        {
            using var response = await _http.SendAsync(request, cancellation);
            await ThrowIfFailedAsync(response, cancellation);
            return await response.Content.ReadFromJsonAsync<T>(ApiJson.Options, cancellation)
                   ?? throw new InvalidDataException("the gateway answered with an empty body");
        }
    }

    private static async Task ThrowIfFailedAsync(HttpResponseMessage response, CancellationToken cancellation)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }
        string field = "", detail = response.ReasonPhrase ?? "";
        try
        {
            using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellation));
            if (problem.RootElement.TryGetProperty("field", out var f))
            {
                field = f.GetString() ?? "";
            }
            if (problem.RootElement.TryGetProperty("detail", out var d))
            {
                detail = d.GetString() ?? detail;
            }
        }
        catch (JsonException)
        {
            // not a problem+json body: the status says enough
        }
        throw new GatewayException((int)response.StatusCode, field, $"{(int)response.StatusCode} {(HttpStatusCode)response.StatusCode}: {detail}");
    }
}
