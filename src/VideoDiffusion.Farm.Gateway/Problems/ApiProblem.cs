namespace VideoDiffusion.Farm.Gateway.Problems;

/// <summary>An error the API answers with a problem+json body naming the offending <see cref="Field"/>.</summary>
public sealed class ApiProblem(int status, string field, string detail) : Exception(detail)
{
    public int Status { get; } = status;

    public string Field { get; } = field;

    /// <summary>Seconds to wait before retrying (429, 503).</summary>
    public int? RetryAfterSeconds { get; init; }

    public IResult ToResult(HttpContext context)
    {
        if (RetryAfterSeconds is { } retry)
        {
            context.Response.Headers.RetryAfter = retry.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        return Results.Problem(
            statusCode: Status,
            title: TitleOf(Status),
            detail: Message,
            type: $"https://videodiffusion.farm/problems/{TitleOf(Status).ToLowerInvariant().Replace(' ', '-')}",
            instance: context.Request.Path,
            extensions: new Dictionary<string, object?> { ["field"] = Field });
    }

    private static string TitleOf(int status) => status switch
    {
        400 => "Invalid request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not found",
        409 => "Conflict",
        413 => "Request too large",
        415 => "Unsupported media type",
        422 => "Unprocessable content",
        429 => "Too many requests",
        503 => "Cluster unavailable",
        _ => "Error",
    };
}
