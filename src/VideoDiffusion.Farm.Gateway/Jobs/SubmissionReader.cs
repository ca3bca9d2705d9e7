using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.Features;
using VideoDiffusion.Farm.Abstractions;
using VideoDiffusion.Farm.Abstractions.Api;
using VideoDiffusion.Farm.Gateway.Problems;

namespace VideoDiffusion.Farm.Gateway.Jobs;

/// <summary>Reads a submission body: size limit, JSON syntax, known fields only, right types; each error names its field.</summary>
public static class SubmissionReader
{
    private static readonly HashSet<string> KnownFields = typeof(RenderJobRequest)
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.GetCustomAttribute<JsonIgnoreAttribute>() is null)
        .Select(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name))
        .ToHashSet(StringComparer.Ordinal);

    public static async Task<RenderJobRequest> ReadAsync(HttpRequest request, long maxBytes, CancellationToken cancellation)
    {
        if (!(request.ContentType ?? "").StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            throw new ApiProblem(StatusCodes.Status415UnsupportedMediaType, "body", "send the job as JSON (Content-Type: application/json)");
        }
        if (request.ContentLength > maxBytes)
        {
            throw TooLarge(maxBytes);
        }
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = maxBytes; // also bounds chunked bodies that announce no length
        }
        byte[] body;
        try
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, cancellation);
            body = buffer.ToArray();
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw TooLarge(maxBytes);
        }
        if (body.Length > maxBytes)
        {
            throw TooLarge(maxBytes);
        }
        using var document = Parse(body);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw new ApiProblem(400, "body", "the body must be a JSON object");
        }
        foreach (var property in document.RootElement.EnumerateObject())
        {
            if (!KnownFields.Contains(property.Name))
            {
                throw new ApiProblem(400, property.Name, $"unknown field '{property.Name}' (known: {string.Join(", ", KnownFields.Order())})");
            }
        }
        try
        {
            return document.RootElement.Deserialize<RenderJobRequest>(ApiJson.Options) ?? throw new ApiProblem(400, "body", "empty body");
        }
        catch (JsonException e)
        {
            var field = FieldOf(e.Path);
            throw new ApiProblem(400, field, $"'{field}' has the wrong type or value: {FirstSentence(e.Message)}");
        }
    }

    private static JsonDocument Parse(byte[] body)
    {
        try
        {
            return JsonDocument.Parse(body);
        }
        catch (JsonException e)
        {
            throw new ApiProblem(400, "body", $"malformed JSON at line {(e.LineNumber ?? 0) + 1}, byte {(e.BytePositionInLine ?? 0) + 1}");
        }
    }

    private static ApiProblem TooLarge(long maxBytes) => new(StatusCodes.Status413PayloadTooLarge, "body", $"the body is larger than {maxBytes} bytes");

    // "$.storyboard[1].from" -> "storyboard[1].from"
    private static string FieldOf(string? path) => string.IsNullOrEmpty(path) || path == "$" ? "body" : path.TrimStart('$', '.');

    private static string FirstSentence(string message) => message.Split(". Path:")[0];
}
