using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Connections.Security;
using Orleans.Dashboard;
using Orleans.Storage;
using StackExchange.Redis;
using VideoDiffusion.Farm.Abstractions.Hosting;
using VideoDiffusion.Farm.Grains.Execution;
using VideoDiffusion.Farm.Grains.Hosting;
using VideoDiffusion.Farm.Grains.Storage;
using VideoDiffusion.Farm.Artifacts;

namespace VideoDiffusion.Farm.Silo.Hosting;

/// <summary>Configures a silo process from configuration: clustering, grain state, reminders, artifacts, accelerator.</summary>
public static class ClusterSiloConfiguration
{
    private const string RedisStateStorage = "farm-redis";

    public static ISiloBuilder ConfigureFarmSilo(this ISiloBuilder silo, IConfiguration configuration)
    {
        var cluster = FarmClusterOptions.From(configuration);
        var accelerator = configuration.GetSection("Farm:Accelerator").Get<AcceleratorOptions>() ?? new AcceleratorOptions();
        var artifacts = configuration.GetSection("Farm:Artifacts").Get<ArtifactStoreOptions>() ?? new ArtifactStoreOptions();
        var store = artifacts.Create();

        if (cluster.UsesRedis)
        {
            var advertised = AdvertisedAddress(cluster.AdvertisedIp);
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = cluster.ClusterId;
                o.ServiceId = cluster.ServiceId;
            });
            silo.ConfigureEndpoints(advertised, cluster.SiloPort, cluster.GatewayPort, listenOnAnyHostAddress: !IPAddress.IsLoopback(advertised));
            silo.UseRedisClustering(o => o.ConfigurationOptions = Redis(cluster));
            RestoringMembershipTable.Wrap(silo.Services); // Redis may restart empty: the silos write their table back
            silo.UseRedisReminderService(o => o.ConfigurationOptions = Redis(cluster));
        }
        else
        {
            silo.UseLocalhostClustering(cluster.SiloPort, cluster.GatewayPort, serviceId: cluster.ServiceId, clusterId: cluster.ClusterId);
            silo.UseInMemoryReminderService();
        }
        if (cluster.Tls.Enabled)
        {
            var certificate = cluster.Tls.LoadCertificate();
            silo.UseTls(certificate, tls =>
            {
                // mutual: silos and clients alike must present the cluster's certificate
                tls.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
                tls.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
                tls.RemoteCertificateValidation = (remote, _, _) => cluster.Tls.Trusts(remote, certificate);
            });
        }
        silo.Configure<SiloOptions>(o => o.SiloName = cluster.EffectiveSiloName);
        // failure detection and shutdown timing are tunable (tests shorten them; production keeps Orleans' defaults)
        silo.Configure<ClusterMembershipOptions>(configuration.GetSection("Farm:Membership"));
        silo.AddActivityPropagation(); // a job's trace continues on every silo its windows run on
        var redisState = cluster.EffectivePersistence == FarmClusterOptions.Redis;
        silo.UseFarmGrainDirectory().AddVideoFarm(accelerator, store, artifactGrainStorage: !redisState);
        if (redisState)
        {
            // Redis may restart empty (no persistence): active grains then write their state again rather than fail
            silo.AddRedisGrainStorage(RedisStateStorage, o => o.ConfigurationOptions = Redis(cluster));
            silo.Services.AddKeyedSingleton<IGrainStorage>(FarmStorage.Name, (sp, _) => new LostRecordStorage(
                sp.GetRequiredKeyedService<IGrainStorage>(RedisStateStorage), sp.GetRequiredService<ILogger<LostRecordStorage>>()));
        }
        if (cluster.Dashboard)
        {
            silo.AddDashboard();
        }
        return silo;
    }

    /// <summary>Loopback when unset (one machine); <c>auto</c>: this host's first IPv4 address (a container's); else the given IP.</summary>
    private static IPAddress AdvertisedAddress(string? configured)
    {
        if (string.IsNullOrEmpty(configured))
        {
            return IPAddress.Loopback;
        }
        if (configured.Equals("auto", StringComparison.OrdinalIgnoreCase))
        {
            return Dns.GetHostAddresses(Dns.GetHostName()).FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && !IPAddress.IsLoopback(a))
                   ?? throw new InvalidOperationException("Farm:AdvertisedIp=auto found no IPv4 address on this host");
        }
        return IPAddress.TryParse(configured, out var address)
            ? address
            : throw new InvalidOperationException($"Farm:AdvertisedIp must be an IP address or 'auto' (got '{configured}')");
    }

    private static ConfigurationOptions Redis(FarmClusterOptions cluster)
    {
        var options = ConfigurationOptions.Parse(cluster.RedisConnection);
        options.AbortOnConnectFail = false; // keep retrying while Redis starts or fails over
        if (!string.IsNullOrEmpty(cluster.RedisPassword))
        {
            options.Password = cluster.RedisPassword;
        }
        return options;
    }
}
