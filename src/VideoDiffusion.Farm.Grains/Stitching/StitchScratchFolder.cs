using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace VideoDiffusion.Farm.Grains.Stitching;

/// <summary>
/// This silo's folder for stitch temporaries: <c>farm-stitch/&lt;silo&gt;-&lt;pid&gt;-&lt;id&gt;</c> under the temp folder, held
/// through an exclusive lock on its <c>.lock</c> file for the life of the process. At start it deletes the folders whose
/// lock nobody holds: what a silo killed mid-stitch left behind (the operating system drops a dead process's locks).
/// </summary>
public sealed class StitchScratchFolder : IHostedService, IDisposable
{
    private const string LockName = ".lock";
    private readonly FileStream _lock;

    public StitchScratchFolder(ILocalSiloDetails silo, ILogger<StitchScratchFolder> logger)
        : this(System.IO.Path.Combine(System.IO.Path.GetTempPath(), "farm-stitch"), silo.Name, logger)
    {
    }

    public StitchScratchFolder(string root, string owner, ILogger logger)
    {
        Directory.CreateDirectory(root);
        RemoveAbandoned(root, logger);
        var name = string.Concat(owner.Select(c => char.IsAsciiLetterOrDigit(c) || c == '-' ? c : '_'));
        Path = System.IO.Path.Combine(root, $"{name}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}");
        Directory.CreateDirectory(Path);
        _lock = new FileStream(System.IO.Path.Combine(Path, LockName), FileMode.Create, FileAccess.ReadWrite, FileShare.None);
    }

    /// <summary>The folder; files in it live only while a stitch runs.</summary>
    public string Path { get; }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask; // the work is done when the silo creates it

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
        _lock.Dispose();
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // a stitch still writing: the next silo to start on this machine deletes it
        }
    }

    private static void RemoveAbandoned(string root, ILogger logger)
    {
        foreach (var folder in Directory.EnumerateDirectories(root))
        {
            var lockFile = System.IO.Path.Combine(folder, LockName);
            try
            {
                if (!File.Exists(lockFile) && Directory.GetCreationTimeUtc(folder) > DateTime.UtcNow.AddMinutes(-1))
                {
                    continue; // another silo is creating it right now
                }
                if (File.Exists(lockFile))
                {
                    // throws while the owning process lives
                    using var held = new FileStream(lockFile, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
                }
                Directory.Delete(folder, recursive: true);
                logger.LogInformation("deleted stitch temporaries of a stopped silo: {Folder}", folder);
            }
            catch (IOException)
            {
                // its silo is alive
            }
            catch (UnauthorizedAccessException)
            {
                // another user's
            }
        }
    }
}
