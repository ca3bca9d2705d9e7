using Microsoft.Extensions.Options;
using VideoDiffusion.Farm.Abstractions;
using VideoDiffusion.Farm.Abstractions.Api;
using VideoDiffusion.Farm.Gateway.Auth;
using VideoDiffusion.Farm.Gateway.Hosting;
using VideoDiffusion.Farm.Gateway.Problems;
using VideoDiffusion.Farm.Artifacts;

namespace VideoDiffusion.Farm.Gateway.Jobs;

/// <summary>The <c>/v1</c> routes: submit, list, status, events, cancel, video, models. Thin: the grains do the work.</summary>
public static class JobEndpoints
{
    private const string CallerKey = "farm.caller";

    /// <summary>Most jobs one list request returns: each is a call into a job grain.</summary>
    public const int MaxListLimit = 100;

    private static readonly TimeSpan CancelCallTimeout = TimeSpan.FromSeconds(3);

    public static void MapJobApi(this WebApplication app)
    {
        var v1 = app.MapGroup("/v1").AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            http.Items[CallerKey] = http.RequestServices.GetRequiredService<ApiKeyAuthenticator>().Authenticate(http.Request);
            return SiloLossRetry.Repeatable(http.Request) ? await SiloLossRetry.RunAsync(http, () => next(context).AsTask()) : await next(context);
        });

        v1.MapPost("/jobs", SubmitAsync).WithName("submitJob").WithTags(OpenApiContract.JobsTag)
            .WithSummary("Submit a render job (prompt or storyboard)")
            .WithDescription("Null or missing fields take the model's defaults. An `Idempotency-Key` header makes retries of the same request " +
                             "return the same job; the same key with a different request is refused (422).")
            // any content type reaches the handler, which answers a non-JSON body with a 415 problem naming the field
            .Accepts<RenderJobRequest>("application/json", "*/*")
            .Produces<JobView>(StatusCodes.Status202Accepted)
            .ProducesProblem(400).ProducesProblem(401).ProducesProblem(403).ProducesProblem(413).ProducesProblem(415).ProducesProblem(422).ProducesProblem(429);
        v1.MapGet("/jobs", ListAsync).WithName("listJobs").WithTags(OpenApiContract.JobsTag)
            .WithSummary("The caller's jobs, newest first")
            .WithDescription($"`limit`: how many, 1 to {MaxListLimit} (default {MaxListLimit}).")
            .Produces<JobListView>().ProducesProblem(400).ProducesProblem(401);
        v1.MapGet("/jobs/{id}", GetAsync).WithName("getJob").WithTags(OpenApiContract.JobsTag)
            .WithSummary("A job's status, per-window progress and ETA").Produces<JobView>().ProducesProblem(401).ProducesProblem(404);
        v1.MapGet("/jobs/{id}/events", EventsAsync).WithName("getJobEvents").WithTags(OpenApiContract.JobsTag)
            .WithSummary("Server-Sent Events with the job's status until it finishes")
            .WithDescription("A tenant may hold a configured number of streams open at once (429 beyond, with `Retry-After`); " +
                             "a stream ends after a configured lifetime and the client reconnects.")
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream").ProducesProblem(401).ProducesProblem(404).ProducesProblem(429);
        v1.MapPost("/jobs/{id}:cancel", CancelAsync).WithName("cancelJob").WithTags(OpenApiContract.JobsTag)
            .WithSummary("Cancel a job").Produces<JobView>(StatusCodes.Status202Accepted).ProducesProblem(401).ProducesProblem(403).ProducesProblem(404);
        v1.MapGet("/jobs/{id}/video", VideoAsync).WithName("getJobVideo").WithTags(OpenApiContract.JobsTag)
            .WithSummary("The finished video (range requests supported)")
            .Produces<Stream>(StatusCodes.Status200OK, "video/mp4", "application/octet-stream").ProducesProblem(401).ProducesProblem(404).ProducesProblem(409);
        v1.MapGet("/models", async (ModelDirectory models) => Results.Ok(new ModelListView(await models.OfferedAsync())))
            .WithName("listModels").WithTags(OpenApiContract.ModelsTag)
            .WithSummary("Models the cluster offers to tenants").Produces<ModelListView>().ProducesProblem(401);
    }

    private static Caller CallerOf(HttpContext http) => (Caller)http.Items[CallerKey]!;

    private static async Task<IResult> SubmitAsync(HttpContext http, IClusterClient client, SubmissionQuotas quotas, ModelDirectory models,
        IOptions<GatewayOptions> options, CancellationToken cancellation)
    {
        var caller = CallerOf(http);
        if (caller.ReadOnly)
        {
            throw new ApiProblem(StatusCodes.Status403Forbidden, "apiKey", "this API key may only read");
        }
        var idempotencyKey = http.Request.Headers["Idempotency-Key"].ToString();
        if (idempotencyKey.Length > 200)
        {
            throw new ApiProblem(400, "Idempotency-Key", "the Idempotency-Key header is longer than 200 characters");
        }
        var request = await SubmissionReader.ReadAsync(http.Request, options.Value.MaxBodyBytes, cancellation);
        quotas.Check(request, await models.ListAsync());
        // a tenant cannot buy its way past others: the priority is capped per key (or gateway), tenants share a priority fairly
        request = request with { Priority = Math.Min(request.Priority, caller.MaxPriority ?? options.Value.MaxPriority) };
        var status = await client.GetGrain<ITenantGrain>(caller.Tenant)
            .Admit(request, idempotencyKey.Length == 0 ? null : idempotencyKey, options.Value.ToAdmissionLimits());
        return Results.Accepted($"/v1/jobs/{status.JobId}", JobViews.From(status, DateTimeOffset.UtcNow));
    }

    private static async Task<IResult> ListAsync(HttpContext http, IClusterClient client, int? limit)
    {
        if (limit is < 1 or > MaxListLimit)
        {
            throw new ApiProblem(StatusCodes.Status400BadRequest, "limit", $"limit must be between 1 and {MaxListLimit} (got {limit})");
        }
        var ids = await client.GetGrain<ITenantGrain>(CallerOf(http).Tenant).JobIds(limit ?? MaxListLimit);
        var statuses = await Task.WhenAll(ids.Select(id => client.GetGrain<IRenderJobGrain>(id).GetStatus()));
        return Results.Ok(new JobListView(statuses.Select(s => JobViews.From(s, DateTimeOffset.UtcNow)).ToList()));
    }

    private static async Task<IResult> GetAsync(HttpContext http, IClusterClient client, string id) =>
        Results.Ok(JobViews.From(await OwnedStatusAsync(http, client, id), DateTimeOffset.UtcNow));

    private static async Task EventsAsync(
        HttpContext http, IClusterClient client, JobEventStream stream, EventStreamLimiter limiter, string id, CancellationToken cancellation)
    {
        // the cap is checked first, so streams refused for it cost no grain call
        using var slot = limiter.Acquire(CallerOf(http).Tenant);
        await OwnedStatusAsync(http, client, id);
        try
        {
            await stream.WriteAsync(http, id, cancellation);
        }
        catch (OperationCanceledException)
        {
            // the client went away
        }
    }

    private static async Task<IResult> CancelAsync(HttpContext http, IClusterClient client, string id)
    {
        if (CallerOf(http).ReadOnly)
        {
            throw new ApiProblem(StatusCodes.Status403Forbidden, "apiKey", "this API key may only read");
        }
        // a grain on a silo just killed may not answer until the cluster declares the silo dead: each call is bounded,
        // and the request is tried again (SiloLossRetry) or answered 503 with Retry-After, never left hanging
        await OwnedStatusAsync(http, client, id).WaitAsync(CancelCallTimeout);
        var job = client.GetGrain<IRenderJobGrain>(id);
        await job.Cancel().WaitAsync(CancelCallTimeout);
        return Results.Accepted($"/v1/jobs/{id}", JobViews.From(await job.GetStatus().WaitAsync(CancelCallTimeout), DateTimeOffset.UtcNow));
    }

    private static async Task<IResult> VideoAsync(HttpContext http, IClusterClient client, IArtifactStore store, string id, CancellationToken cancellation)
    {
        var status = await OwnedStatusAsync(http, client, id);
        if (status.State != JobState.Completed || status.Result is null)
        {
            var state = status.State.ToString().ToLowerInvariant();
            throw new ApiProblem(StatusCodes.Status409Conflict, "id",
                status.IsFinished ? $"job {id} ended {state}: it has no video" : $"job {id} has no video yet (state {state})");
        }
        if (!VideoFormats.All.Contains(status.Format))
        {
            throw new ApiProblem(StatusCodes.Status404NotFound, "id", $"job {id} has no video in a known format");
        }
        // the key follows from the job's own id, whatever the job's state says, so no job can point at another's video
        var stream = await store.OpenAsync(ArtifactKey.Video(id, status.Format), cancellation)
                     ?? throw new ApiProblem(StatusCodes.Status404NotFound, "id", $"the video of job {id} is no longer stored");
        var type = status.Format == "mp4" ? "video/mp4" : "application/octet-stream";
        return Results.Stream(stream, type, fileDownloadName: $"{id}.{status.Format}", enableRangeProcessing: true);
    }

    /// <summary>The job's status when it exists and belongs to the caller; 404 otherwise (another tenant's job is not confirmed to exist).</summary>
    private static async Task<JobStatus> OwnedStatusAsync(HttpContext http, IClusterClient client, string id)
    {
        if (id.Length is 0 or > 100 || !id.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
        {
            throw new ApiProblem(StatusCodes.Status404NotFound, "id", $"no job '{id}'");
        }
        // the tenant's own list answers first, so an unknown or foreign id never activates a job grain
        if (!await client.GetGrain<ITenantGrain>(CallerOf(http).Tenant).Owns(id))
        {
            throw new ApiProblem(StatusCodes.Status404NotFound, "id", $"no job '{id}'");
        }
        var status = await client.GetGrain<IRenderJobGrain>(id).GetStatus();
        if (!status.Exists || status.Tenant != CallerOf(http).Tenant)
        {
            throw new ApiProblem(StatusCodes.Status404NotFound, "id", $"no job '{id}'");
        }
        return status;
    }
}
