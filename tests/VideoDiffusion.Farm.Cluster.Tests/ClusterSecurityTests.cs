using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace VideoDiffusion.Farm.Cluster.Tests;

/// <summary>A cluster on a password-protected Redis with mutual TLS between silos and from the gateway.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterSecurityTests(FarmCluster cluster)
{
    private const string RedisPassword = "redis-secret-0123456789";
    private const string CertificatePassword = "pfx-secret-42";

    [Fact]
    public async Task TlsClusterOnAPasswordProtectedRedisRendersAJobAndAGatewayWithoutTheCertificateNeverConnects()
    {
        await using var redis = await RedisServer.StartAsync(RedisPassword);
        var folder = Directory.CreateTempSubdirectory("farm-tls-").FullName;
        var pfx = Path.Combine(folder, "cluster.pfx");
        await File.WriteAllBytesAsync(pfx, SelfSignedPfx("CN=farm-cluster"));
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var clusterId = $"tls-{suffix}";
        string[] redisSettings = [$"--Farm:ServiceId=tls-{suffix}", $"--Farm:RedisConnection={redis.ConnectionString}", $"--Farm:RedisPassword={RedisPassword}"];
        string[] tlsSettings = [.. redisSettings, $"--Farm:Tls:CertificatePath={pfx}", $"--Farm:Tls:CertificatePassword={CertificatePassword}"];

        var (first, _, _) = await cluster.LaunchSiloAsync(clusterId, "tls-silo-0", tlsSettings);
        await using (first)
        {
            var (second, _, _) = await cluster.LaunchSiloAsync(clusterId, "tls-silo-1", tlsSettings);
            await using (second)
            await using (var gateway = await cluster.LaunchServingGatewayAsync(clusterId, tlsSettings))
            {
                using var http = cluster.Client(FarmCluster.Keys["tenant-a"], gateway.Port);
                var job = await FarmJobs.SubmitAsync(http, new { prompt = "a purple rocket moving right in space", seconds = 8, steps = 2, scale = 1 });
                var done = await FarmJobs.WaitAsync(http, job.Id, TimeSpan.FromMinutes(3));
                Assert.True(done.State == "completed", $"{done.State}: {done.Error}");

                // the same Redis and cluster, but no certificate: the silos refuse its connections
                await using var outsider = await cluster.LaunchGatewayAsync(clusterId, redisSettings);
                using var anonymous = cluster.Client(null, outsider.Port);
                var watch = Stopwatch.StartNew();
                while (watch.Elapsed < TimeSpan.FromSeconds(20))
                {
                    using var health = await anonymous.GetAsync("healthz");
                    Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
                    await Task.Delay(TimeSpan.FromSeconds(2));
                }
            }
        }
        TempFolder.TryDelete(folder);
    }

    /// <summary>A self-signed certificate for TLS servers and clients, as a PFX protected by <see cref="CertificatePassword"/>.</summary>
    private static byte[] SelfSignedPfx(string subject)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], critical: false)); // server and client authentication
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        return certificate.Export(X509ContentType.Pfx, CertificatePassword);
    }
}
