using Microsoft.Extensions.Hosting;

namespace VideoDiffusion.Farm.Hosting.Embedded;

/// <summary>
/// The lifetime of an in-process silo: it starts and stops when its <see cref="EmbeddedFarm"/> says so and listens to no
/// process signal. With the default console lifetime every silo stopped itself on Ctrl+C or SIGTERM, handing its windows
/// to silos that were stopping too, while the owning command was already cancelling the job and disposing the farm.
/// </summary>
internal sealed class OwnerControlledLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
