using System.Net;

namespace VideoDiffusion.Farm.Cluster.Tests;

/// <summary>What the gateway serves without a key: the web page, the API reference, the OpenAPI document, Prometheus metrics (the Orleans dashboard needs the operator key: <see cref="ClosedClusterTests"/>).</summary>
[Collection(ClusterCollection.Name)]
public sealed class GatewayPagesTests(FarmCluster cluster)
{
    [Theory]
    [InlineData("", "text/html", "id=\"submit\"")]
    [InlineData("docs/", "text/html", "scalar")]
    [InlineData("openapi/v1.json", "application/json", "/v1/jobs/{id}/events")]
    [InlineData("healthz", "application/json", "ok")]
    [InlineData("metrics", "text/plain", "# TYPE http_server_request_duration_seconds histogram")]
    public async Task PageIsServed(string path, string mediaType, string contains)
    {
        using var http = cluster.Client(null);
        using var response = await http.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(contains, await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }
}
