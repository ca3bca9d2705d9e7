using System.Text.Json;
using System.Text.Json.Serialization;

namespace VideoDiffusion.Farm.Abstractions.Api;

/// <summary>The JSON settings of the REST API, shared by the gateway and the CLI so both read the same wire format.</summary>
public static class ApiJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
            NumberHandling = JsonNumberHandling.Strict, // numbers are numbers: the OpenAPI document says so too
        };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
