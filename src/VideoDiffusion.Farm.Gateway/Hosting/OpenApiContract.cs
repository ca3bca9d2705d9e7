using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace VideoDiffusion.Farm.Gateway.Hosting;

/// <summary>
/// What the served OpenAPI document adds to the endpoints' own metadata so that a generated client works: the API-key
/// scheme required by every operation, described tags, server URLs without a trailing slash, JSON-only request bodies.
/// </summary>
public static class OpenApiContract
{
    public const string JobsTag = "jobs";
    public const string ModelsTag = "models";
    public const string FarmTag = "farm";
    private const string Scheme = "apiKey";

    public static void Configure(OpenApiOptions options)
    {
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "VideoDiffusion.Farm gateway";
            document.Info.Description = "Submit prompts or storyboards, watch per-window progress, download videos. " +
                                        "Authenticate with `Authorization: Bearer <key>`.";
            foreach (var server in document.Servers ?? [])
            {
                server.Url = server.Url?.TrimEnd('/');
            }
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
            {
                [Scheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    Description = "An API key of the gateway (also accepted as the `X-Api-Key` header or the `api_key` query parameter).",
                },
            };
            document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(Scheme, document)] = [] }];
            document.Tags = new HashSet<OpenApiTag>
            {
                new() { Name = JobsTag, Description = "Render jobs of the caller's tenant: submit, follow, cancel, download." },
                new() { Name = ModelsTag, Description = "The models the cluster serves." },
                new() { Name = FarmTag, Description = "The live farm: silos, slots and running work." },
            };
            return Task.CompletedTask;
        });
        options.AddOperationTransformer((operation, _, _) =>
        {
            // the submit handler accepts any content type so that it can answer a wrong one with a problem naming the field
            operation.RequestBody?.Content?.Remove("*/*");
            return Task.CompletedTask;
        });
    }
}
