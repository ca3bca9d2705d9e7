using System.Net;

namespace VideoDiffusion.Farm.Cli.Tests;

/// <summary>
/// A render exports its metrics and spans over OTLP to a configured collector (here a loopback HTTP listener standing
/// in for an OpenTelemetry collector), and nothing when telemetry is switched off.
/// </summary>
public sealed class TelemetryExportTests
{
    [Fact]
    public async Task AConfiguredOtlpEndpointReceivesMetricsAndTraces()
    {
        var exports = await RenderWithCollectorAsync(enabled: true);
        Assert.Contains(exports, e => e.Path == "/v1/metrics" && e.Bytes > 0);
        Assert.Contains(exports, e => e.Path == "/v1/traces" && e.Bytes > 0);
        Assert.All(exports, e => Assert.Equal("application/x-protobuf", e.ContentType));
    }

    [Fact]
    public async Task TelemetrySwitchedOffExportsNothing()
    {
        Assert.Empty(await RenderWithCollectorAsync(enabled: false));
    }

    private static async Task<List<(string Path, string? ContentType, long Bytes)>> RenderWithCollectorAsync(bool enabled)
    {
        var port = ServerProcess.FreeLoopbackPort();
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        var exports = new List<(string Path, string? ContentType, long Bytes)>();
        using var stop = new CancellationTokenSource();
        var collector = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                HttpListenerContext context;
                try
                {
                    context = await listener.GetContextAsync().WaitAsync(stop.Token);
                }
                catch (Exception) when (stop.IsCancellationRequested)
                {
                    return;
                }
                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
                lock (exports)
                {
                    exports.Add((context.Request.Url!.AbsolutePath, context.Request.ContentType, body.Length));
                }
                context.Response.StatusCode = 200;
                context.Response.ContentType = "application/x-protobuf"; // an empty export response: all fields default
                context.Response.Close();
            }
        });
        var output = Path.Combine(Path.GetTempPath(), $"otlp-{Guid.NewGuid():N}.mp4");
        try
        {
            var (exit, _, error) = FarmCli.Run(new Dictionary<string, string>
            {
                ["Farm__Telemetry__Enabled"] = enabled ? "true" : "false",
                ["Farm__Telemetry__OtlpEndpoint"] = $"http://127.0.0.1:{port}",
                ["Farm__Telemetry__OtlpProtocol"] = "http/protobuf",
                ["Farm__Telemetry__OtlpExportInterval"] = "00:00:01",
            }, "render", "a green cube moving left on the grass", "--seconds", "4", "--steps", "8", "--out", output);
            Assert.True(exit == 0, error);
        }
        finally
        {
            File.Delete(output);
            await stop.CancelAsync();
            await collector;
        }
        lock (exports)
        {
            return exports.ToList();
        }
    }
}
