namespace VideoDiffusion.Farm.Gateway.Hosting;

/// <summary>
/// Starts the Orleans client's hosted services in the background, so the web server listens while no silo is up (as
/// pods start in any order on Kubernetes): until the client is connected, API calls answer 503 and <c>/healthz</c>
/// reports not ready. The client's connection retry filter keeps trying until a silo answers.
/// </summary>
public sealed class ClusterConnection(IServiceProvider services, IReadOnlyList<ServiceDescriptor> clientServices, ILogger<ClusterConnection> logger)
    : BackgroundService
{
    private readonly List<IHostedService> _started = [];
    private volatile bool _connected;

    /// <summary>Whether the client has connected to the cluster.</summary>
    public bool IsConnected => _connected;

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        for (var i = _started.Count - 1; i >= 0; i--)
        {
            await _started[i].StopAsync(cancellationToken);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        logger.LogInformation("connecting to the cluster");
        foreach (var descriptor in clientServices)
        {
            var service = Resolve(descriptor);
            await service.StartAsync(stoppingToken);
            _started.Add(service);
        }
        _connected = true;
        logger.LogInformation("connected to the cluster");
    }

    private IHostedService Resolve(ServiceDescriptor descriptor) => (IHostedService)(
        descriptor.ImplementationInstance
        ?? descriptor.ImplementationFactory?.Invoke(services)
        ?? ActivatorUtilities.CreateInstance(services, descriptor.ImplementationType!));
}
