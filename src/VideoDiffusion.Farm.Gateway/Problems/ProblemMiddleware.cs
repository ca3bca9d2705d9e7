using VideoDiffusion.Farm.Abstractions;

namespace VideoDiffusion.Farm.Gateway.Problems;

/// <summary>Turns every refusal into a problem+json answer; anything unexpected becomes a 500 without internals.</summary>
public sealed class ProblemMiddleware(RequestDelegate next, ILogger<ProblemMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (Exception e) when (!context.Response.HasStarted && e is not OperationCanceledException)
        {
            var problem = e switch
            {
                ApiProblem p => p,
                JobRejectedException r => new ApiProblem(StatusCodes.Status400BadRequest, r.Field, r.Message),
                TenantBudgetException b => new ApiProblem(StatusCodes.Status429TooManyRequests, b.Field, b.Message) { RetryAfterSeconds = 30 },
                TenantLimitException t => new ApiProblem(StatusCodes.Status429TooManyRequests, "tenant", t.Message) { RetryAfterSeconds = 10 },
                IdempotencyConflictException c => new ApiProblem(StatusCodes.Status422UnprocessableEntity, "Idempotency-Key", c.Message),
                BadHttpRequestException b => new ApiProblem(b.StatusCode, "body", b.Message),
                SiloUnavailableException or OrleansMessageRejectionException or TimeoutException =>
                    new ApiProblem(StatusCodes.Status503ServiceUnavailable, "cluster", "the cluster did not answer in time; retry shortly") { RetryAfterSeconds = 2 },
                _ => null,
            };
            if (problem is null)
            {
                logger.LogError(e, "unexpected error on {Method} {Path}", context.Request.Method, context.Request.Path);
                problem = new ApiProblem(StatusCodes.Status500InternalServerError, "", "internal error");
            }
            await problem.ToResult(context).ExecuteAsync(context);
        }
    }
}
