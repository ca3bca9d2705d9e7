using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Orleans.Dashboard;
using Orleans.Connections.Security;
using StackExchange.Redis;
using VideoDiffusion.Farm.Abstractions.Hosting;

namespace VideoDiffusion.Farm.Gateway.Hosting;

/// <summary>Connects the gateway's Orleans client the same way the silos cluster (Localhost or Redis).</summary>
public static class ClusterClientConfiguration
{
    /// <summary>
    /// Adds the Orleans client, its hosted services started by a <see cref="ClusterConnection"/> in the background rather
    /// than before the web server (which would keep the gateway from listening while no silo is up).
    /// </summary>
    public static void AddFarmClusterClient(this IHostApplicationBuilder builder)
    {
        var before = builder.Services.Where(d => d.ServiceType == typeof(IHostedService)).ToHashSet();
        builder.UseOrleansClient(client => client.ConfigureFarmClient(builder.Configuration));
        var clientServices = builder.Services.Where(d => d.ServiceType == typeof(IHostedService) && !before.Contains(d)).ToList();
        foreach (var descriptor in clientServices)
        {
            builder.Services.Remove(descriptor);
        }
        builder.Services.AddSingleton(sp => ActivatorUtilities.CreateInstance<ClusterConnection>(sp, (IReadOnlyList<ServiceDescriptor>)clientServices));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ClusterConnection>());
    }

    public static IClientBuilder ConfigureFarmClient(this IClientBuilder client, IConfiguration configuration)
    {
        var cluster = FarmClusterOptions.From(configuration);
        if (cluster.UsesRedis)
        {
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = cluster.ClusterId;
                o.ServiceId = cluster.ServiceId;
            });
            client.UseRedisClustering(o =>
            {
                o.ConfigurationOptions = ConfigurationOptions.Parse(cluster.RedisConnection);
                o.ConfigurationOptions.AbortOnConnectFail = false;
                if (!string.IsNullOrEmpty(cluster.RedisPassword))
                {
                    o.ConfigurationOptions.Password = cluster.RedisPassword;
                }
            });
        }
        else
        {
            client.UseLocalhostClustering(cluster.GatewayPort, cluster.ServiceId, cluster.ClusterId);
        }
        if (cluster.Tls.Enabled)
        {
            var certificate = cluster.Tls.LoadCertificate();
            client.UseTls(certificate, tls =>
            {
                tls.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
                tls.RemoteCertificateValidation = (remote, _, _) => cluster.Tls.Trusts(remote, certificate);
            });
        }
        client.AddActivityPropagation(); // a submission's trace continues into the cluster
        // keep retrying while silos start or fail over, rather than failing the gateway at start
        client.UseConnectionRetryFilter(async (_, cancellation) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(1), cancellation);
            return true;
        });
        if (cluster.Dashboard)
        {
            client.AddDashboard();
        }
        return client;
    }
}
