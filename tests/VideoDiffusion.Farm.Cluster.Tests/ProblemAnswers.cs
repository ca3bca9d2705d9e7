using System.Net;
using System.Text.Json;

namespace VideoDiffusion.Farm.Cluster.Tests;

/// <summary>Assertions on the gateway's problem+json answers: status, media type, the named field, Retry-After.</summary>
public static class ProblemAnswers
{
    /// <summary>Asserts that <paramref name="response"/> is a problem with <paramref name="status"/> naming <paramref name="field"/>; returns its body.</summary>
    public static async Task<JsonElement> AssertAsync(HttpResponseMessage response, HttpStatusCode status, string field, bool retryAfter = false)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.True(problem.TryGetProperty("field", out var named) && named.GetString() == field, $"expected field '{field}': {body}");
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        if (retryAfter)
        {
            Assert.True(response.Headers.RetryAfter?.Delta is { } delta && delta > TimeSpan.Zero, $"no Retry-After: {response.Headers}");
        }
        return problem;
    }
}
