using VideoDiffusion.Farm.Gateway.Hosting;

namespace VideoDiffusion.Farm.Gateway.Problems;

/// <summary>Answers the routes that need the cluster (the API, the dashboard) with 503 and Retry-After until the Orleans client has connected.</summary>
public sealed class ClusterReadinessMiddleware(RequestDelegate next, ClusterConnection cluster)
{
    private const int RetryAfterSeconds = 5;

    public Task InvokeAsync(HttpContext context)
    {
        if (!cluster.IsConnected && NeedsCluster(context.Request.Path))
        {
            throw new ApiProblem(StatusCodes.Status503ServiceUnavailable, "cluster", "the gateway has not reached the cluster yet; retry shortly")
            {
                RetryAfterSeconds = RetryAfterSeconds,
            };
        }
        return next(context);
    }

    private static bool NeedsCluster(PathString path) =>
        path.StartsWithSegments("/v1", StringComparison.OrdinalIgnoreCase) || path.StartsWithSegments("/dashboard", StringComparison.OrdinalIgnoreCase);
}
