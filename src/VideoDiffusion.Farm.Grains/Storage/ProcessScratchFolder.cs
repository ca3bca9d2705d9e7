using Microsoft.Extensions.Logging;

namespace VideoDiffusion.Farm.Grains.Storage;

/// <summary>
/// A folder of temporaries owned by this process: <c>&lt;root&gt;/&lt;owner&gt;-&lt;pid&gt;-&lt;id&gt;</c>, held through an
/// exclusive lock on its <c>.lock</c> file until disposed, then deleted. Creating one first deletes the folders under
/// the same root whose lock nobody holds: what a process killed before it could clean up left behind (the operating
/// system drops a dead process's locks).
/// </summary>
public sealed class ProcessScratchFolder : IDisposable
{
    private const string LockName = ".lock";
    private readonly FileStream _lock;

    public ProcessScratchFolder(string root, string owner, ILogger logger)
    {
        Directory.CreateDirectory(root);
        RemoveAbandoned(root, logger);
        Path = System.IO.Path.Combine(root, $"{SafeName(owner)}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}");
        Directory.CreateDirectory(Path);
        _lock = new FileStream(System.IO.Path.Combine(Path, LockName), FileMode.Create, FileAccess.ReadWrite, FileShare.None);
    }

    /// <summary><paramref name="name"/> with every character but ASCII letters, digits and <c>-</c> as <c>_</c>, for a folder name.</summary>
    public static string SafeName(string name) => string.Concat(name.Select(c => char.IsAsciiLetterOrDigit(c) || c == '-' ? c : '_'));

    /// <summary>The folder.</summary>
    public string Path { get; }

    public void Dispose()
    {
        _lock.Dispose();
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // a file still being written: the next process to create a folder under this root deletes it
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
                    continue; // another process is creating it right now
                }
                if (File.Exists(lockFile))
                {
                    // throws while the owning process lives
                    using var held = new FileStream(lockFile, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
                }
                Directory.Delete(folder, recursive: true);
                logger.LogInformation("deleted the temporaries of a stopped process: {Folder}", folder);
            }
            catch (IOException)
            {
                // its process is alive
            }
            catch (UnauthorizedAccessException)
            {
                // another user's
            }
        }
    }
}
