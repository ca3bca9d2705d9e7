using Microsoft.Extensions.Options;
using VideoDiffusion.Farm.Gateway.Hosting;
using VideoDiffusion.Farm.Gateway.Problems;

namespace VideoDiffusion.Farm.Gateway.Jobs;

/// <summary>
/// Counts each tenant's open event streams on this gateway and refuses one past
/// <see cref="GatewayOptions.MaxEventStreamsPerTenant"/> with 429: every open stream polls a job grain.
/// </summary>
public sealed class EventStreamLimiter(IOptions<GatewayOptions> options)
{
    private const int RetryAfterSeconds = 5;
    private readonly Dictionary<string, int> _open = new(StringComparer.Ordinal);

    /// <summary>Takes one of the tenant's stream slots until the returned lease is disposed; throws a 429 problem when none is free.</summary>
    public IDisposable Acquire(string tenant)
    {
        var limit = options.Value.MaxEventStreamsPerTenant;
        lock (_open)
        {
            var open = _open.GetValueOrDefault(tenant);
            if (open >= limit)
            {
                throw new ApiProblem(StatusCodes.Status429TooManyRequests, "events",
                    $"{open} event streams of this tenant are open on this gateway (limit {limit}); close one, or poll GET /v1/jobs/{{id}}")
                {
                    RetryAfterSeconds = RetryAfterSeconds,
                };
            }
            _open[tenant] = open + 1;
        }
        return new Lease(() => Release(tenant));
    }

    private void Release(string tenant)
    {
        lock (_open)
        {
            if (_open.GetValueOrDefault(tenant) <= 1)
            {
                _open.Remove(tenant);
            }
            else
            {
                _open[tenant]--;
            }
        }
    }

    private sealed class Lease(Action release) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                release();
            }
        }
    }
}
