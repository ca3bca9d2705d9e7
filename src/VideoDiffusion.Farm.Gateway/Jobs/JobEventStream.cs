using System.Text.Json;
using Microsoft.Extensions.Options;
using VideoDiffusion.Farm.Abstractions;
using VideoDiffusion.Farm.Abstractions.Api;
using VideoDiffusion.Farm.Gateway.Hosting;

namespace VideoDiffusion.Farm.Gateway.Jobs;

/// <summary>
/// Server-Sent Events for one job. Polls the job grain rather than holding an observer: a poll survives the job grain
/// moving to another silo and costs one cheap call per interval. Sends only changes, a comment as keep-alive, and ends
/// after the first finished status, or once the stream has lived <see cref="GatewayOptions.MaxEventStreamDuration"/>
/// (the client reconnects, as Server-Sent Events clients do when a stream ends).
/// </summary>
public sealed class JobEventStream(IClusterClient client, IOptions<GatewayOptions> options, ILogger<JobEventStream> logger)
{
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    public async Task WriteAsync(HttpContext context, string jobId, CancellationToken cancellation)
    {
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        await response.WriteAsync("retry: 1000\n\n", cancellation);
        await response.Body.FlushAsync(cancellation);
        var job = client.GetGrain<IRenderJobGrain>(jobId);
        string? last = null;
        var quietSince = DateTime.UtcNow;
        var endsAt = DateTime.UtcNow + options.Value.MaxEventStreamDuration;
        while (!cancellation.IsCancellationRequested)
        {
            if (DateTime.UtcNow >= endsAt)
            {
                await response.WriteAsync(": the stream reached its longest life; reconnect to continue\n\n", cancellation);
                await response.Body.FlushAsync(cancellation);
                return;
            }
            JobView? view = null;
            try
            {
                view = JobViews.From(await job.GetStatus(), DateTimeOffset.UtcNow);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // the job's silo may be failing over; the next poll finds it reactivated elsewhere
                logger.LogDebug("events {Job}: {Error}", jobId, e.Message);
            }
            if (view is not null)
            {
                var json = JsonSerializer.Serialize(view, ApiJson.Options);
                if (json != last)
                {
                    last = json;
                    quietSince = DateTime.UtcNow;
                    await response.WriteAsync($"event: status\ndata: {json}\n\n", cancellation);
                    await response.Body.FlushAsync(cancellation);
                }
                if (view.IsFinished)
                {
                    return;
                }
            }
            if (DateTime.UtcNow - quietSince > KeepAlive)
            {
                quietSince = DateTime.UtcNow;
                await response.WriteAsync(": keep-alive\n\n", cancellation);
                await response.Body.FlushAsync(cancellation);
            }
            await Task.Delay(options.Value.EventPollInterval, cancellation);
        }
    }
}
