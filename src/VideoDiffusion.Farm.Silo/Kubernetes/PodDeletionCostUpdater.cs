using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using VideoDiffusion.Farm.Grains.Execution;

namespace VideoDiffusion.Farm.Silo.Kubernetes;

/// <summary>
/// Keeps this pod's <see cref="PodDeletionCost.Annotation"/> current through the Kubernetes API: every
/// <see cref="Interval"/> it looks at the denoise executor and patches the pod only when the cost changes. A failed
/// patch is logged and tried again at the next look; the silo's work never depends on it.
/// </summary>
public sealed class PodDeletionCostUpdater(KubernetesPodEnvironment pod, DenoiseExecutor executor, ILogger<PodDeletionCostUpdater> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        HttpClient http;
        try
        {
            http = new HttpClient(TrustingClusterCa(pod.CaPath)) { Timeout = TimeSpan.FromSeconds(10) };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            logger.LogWarning("pod {Pod}: the cluster CA {Path} cannot be read ({Error}); {Annotation} stays unset", pod.PodName, pod.CaPath, e.Message, PodDeletionCost.Annotation);
            return;
        }
        using var client = http;
        var tracker = new PodDeletionCostTracker(executor.Statistics().WindowSteps);
        using var timer = new PeriodicTimer(Interval);
        do
        {
            var statistics = executor.Statistics();
            if (tracker.Look(statistics.Queued, statistics.WindowSteps) is not { } cost)
            {
                continue;
            }
            try
            {
                // the token is projected and rotated by the kubelet: read it for every request
                var token = (await File.ReadAllTextAsync(pod.TokenPath, stoppingToken)).Trim();
                using var request = PodDeletionCost.PatchRequest(pod, cost, token);
                using var response = await client.SendAsync(request, stoppingToken);
                if (response.IsSuccessStatusCode)
                {
                    tracker.Published(cost);
                    logger.LogDebug("pod {Pod}: {Annotation}={Cost}", pod.PodName, PodDeletionCost.Annotation, cost);
                }
                else
                {
                    logger.LogWarning("pod {Pod}: setting {Annotation} to {Cost} failed: HTTP {Status} {Body}", pod.PodName, PodDeletionCost.Annotation, cost,
                        (int)response.StatusCode, await response.Content.ReadAsStringAsync(stoppingToken));
                }
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // whatever goes wrong here (API server, token file, timeout) must not stop the silo: a BackgroundService
                // that throws stops the host
                logger.LogWarning("pod {Pod}: setting {Annotation} to {Cost} failed: {Error}", pod.PodName, PodDeletionCost.Annotation, cost, e.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    /// <summary>An HTTP handler that trusts the API server's certificate when it chains to the cluster's CA.</summary>
    private static HttpClientHandler TrustingClusterCa(string caPath)
    {
        var ca = X509CertificateLoader.LoadCertificateFromFile(caPath);
        return new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, errors) =>
            {
                if (errors == System.Net.Security.SslPolicyErrors.None)
                {
                    return true;
                }
                if (certificate is null || errors.HasFlag(System.Net.Security.SslPolicyErrors.RemoteCertificateNameMismatch))
                {
                    return false;
                }
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(ca);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(certificate);
            },
        };
    }
}
