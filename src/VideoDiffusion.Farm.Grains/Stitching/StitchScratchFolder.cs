using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using VideoDiffusion.Farm.Grains.Storage;

namespace VideoDiffusion.Farm.Grains.Stitching;

/// <summary>
/// This silo's folder for stitch temporaries, a <see cref="ProcessScratchFolder"/> under <c>farm-stitch</c> in the temp
/// folder: created (deleting what silos killed mid-stitch left behind) when the silo starts, deleted when it stops.
/// </summary>
public sealed class StitchScratchFolder(ILocalSiloDetails silo, ILogger<StitchScratchFolder> logger) : IHostedService, IDisposable
{
    private readonly ProcessScratchFolder _folder = new(System.IO.Path.Combine(System.IO.Path.GetTempPath(), "farm-stitch"), silo.Name, logger);

    /// <summary>The folder; files in it live only while a stitch runs.</summary>
    public string Path => _folder.Path;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask; // the work is done when the silo creates it

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _folder.Dispose();
}
