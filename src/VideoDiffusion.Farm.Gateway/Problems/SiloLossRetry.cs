using System.Diagnostics;

namespace VideoDiffusion.Farm.Gateway.Problems;

/// <summary>
/// Repeats a request that only reads or cancels while the cluster notices a lost silo: a grain on a silo just killed
/// answers "unavailable" (or does not answer in time) until membership declares that silo dead and the next call
/// activates the grain elsewhere.
/// </summary>
public static class SiloLossRetry
{
    /// <summary>How long a request keeps trying before it answers 503 with <c>Retry-After</c>.</summary>
    public static readonly TimeSpan Budget = TimeSpan.FromSeconds(8);

    public static async Task<T> RunAsync<T>(HttpContext http, Func<Task<T>> call)
    {
        var clock = Stopwatch.StartNew();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (Exception e) when (e is SiloUnavailableException or OrleansMessageRejectionException or TimeoutException
                                      && !http.Response.HasStarted && clock.Elapsed < Budget && !http.RequestAborted.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(1000, 100 * attempt)), http.RequestAborted);
            }
        }
    }

    /// <summary>Whether a request may be repeated: reads, and cancels (cancelling twice is cancelling once).</summary>
    public static bool Repeatable(HttpRequest request) =>
        HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)
        || (HttpMethods.IsPost(request.Method) && request.Path.Value?.EndsWith(":cancel", StringComparison.Ordinal) == true);
}
