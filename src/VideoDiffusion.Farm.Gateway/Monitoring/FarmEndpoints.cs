using VideoDiffusion.Farm.Abstractions.Api;
using VideoDiffusion.Farm.Abstractions.Monitoring;
using VideoDiffusion.Farm.Gateway.Auth;
using VideoDiffusion.Farm.Gateway.Hosting;
using VideoDiffusion.Farm.Gateway.Problems;

namespace VideoDiffusion.Farm.Gateway.Monitoring;

/// <summary>The <c>/v1/farm</c> route: the live farm view, for any valid key (read-only keys included).</summary>
public static class FarmEndpoints
{
    public static void MapFarmApi(this WebApplication app)
    {
        app.MapGet("/v1/farm", async (HttpContext http, ApiKeyAuthenticator authenticator, IClusterClient client) =>
            {
                var caller = authenticator.Authenticate(http.Request);
                var silos = await SiloLossRetry.RunAsync(http, () => client.GetGrain<IFarmMonitorGrain>(0).Silos());
                return Results.Ok(FarmViews.From(silos, caller.Tenant, DateTimeOffset.UtcNow));
            })
            .WithSummary("The live farm: silos, slots, utilisation over the last 5 minutes, queues, running windows per job")
            .WithDescription("Any API key. The caller's own running jobs are listed by id; other tenants' work only as counts of jobs and windows.")
            .WithName("getFarm")
            .WithTags(OpenApiContract.FarmTag)
            .Produces<FarmView>()
            .ProducesProblem(401);
    }
}
