using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace VideoDiffusion.Farm.Tests.Shared;

/// <summary>A real server run as a child process on a free loopback port, for tests; killed with its process tree on dispose.</summary>
public sealed class ServerProcess : IAsyncDisposable, IDisposable
{
    private const int KeptLines = 200;

    private readonly ToolProcess _process;
    private readonly string? _workingDirectory;
    private int _disposed;

    private ServerProcess(ToolProcess process, int port, string? workingDirectory)
    {
        _process = process;
        Port = port;
        _workingDirectory = workingDirectory;
    }

    public int Port { get; }

    /// <summary>The server's process id (its <c>/proc/&lt;id&gt;</c>).</summary>
    public int Id => _process.Id;

    /// <summary>The last lines the server wrote to standard error.</summary>
    public string StandardError => _process.Error;

    /// <summary>The last lines the server wrote to standard output.</summary>
    public string StandardOutput => _process.Output;

    /// <summary>
    /// Starts <paramref name="executable"/> with the arguments <paramref name="arguments"/> builds for a free port and
    /// waits until that port accepts connections. A port picked free can be taken before the server binds it, so a
    /// server that exits early is retried on another port.
    /// </summary>
    /// <param name="fixedPort">Listen on this port (a restart on the port clients know) instead of a free one; no retries.</param>
    public static async Task<ServerProcess> StartAsync(
        string name, string executable, Func<int, IEnumerable<string>> arguments, TimeSpan timeout, bool ownWorkingDirectory = false,
        int? fixedPort = null)
    {
        var attempts = fixedPort is null ? 3 : 1;
        for (var attempt = 1; ; attempt++)
        {
            var port = fixedPort ?? FreeLoopbackPort();
            var workingDirectory = ownWorkingDirectory ? Directory.CreateTempSubdirectory($"farm-{name}-").FullName : null;
            var server = Launch(executable, arguments(port), port, workingDirectory);
            try
            {
                await server.WaitUntilListeningAsync(timeout);
                return server;
            }
            catch (ServerExitedException) when (attempt < attempts)
            {
                await server.DisposeAsync();
            }
            catch (Exception e) when (e is ServerExitedException or TimeoutException)
            {
                var message = $"{name} ({executable}) did not accept connections on 127.0.0.1:{server.Port}: {e.Message}\n" +
                              $"stderr:\n{server.StandardError}\nstdout:\n{server.StandardOutput}";
                await server.DisposeAsync();
                throw new InvalidOperationException(message, e);
            }
        }
    }

    /// <summary>The first existing file among <paramref name="candidates"/>, then <paramref name="name"/> on PATH; else a clear error.</summary>
    public static string FindExecutable(string name, params string[] candidates)
    {
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name));
        return candidates.Concat(onPath).FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException(
                $"'{name}' is not installed (looked in {string.Join(", ", candidates.Append("PATH"))}): run `bash tools/prereqs.sh test`", name);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _process.Dispose();
        if (_workingDirectory is not null)
        {
            TempFolder.TryDelete(_workingDirectory);
        }
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    public bool HasExited => _process.HasExited;

    /// <summary>SIGKILL, like a crashed machine: no shutdown hooks run.</summary>
    public void Kill() => Dispose();

    /// <summary>SIGTERM, as Kubernetes stops a pod (scale-in, rolling update); waits for the process to exit, then SIGKILL.</summary>
    public async Task TerminateAsync(TimeSpan timeout)
    {
        var sent = await ToolProcess.RunAsync("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        if (sent.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -TERM {_process.Id}: {sent}");
        }
        var deadline = DateTime.UtcNow + timeout;
        while (!HasExited && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }
        Dispose();
    }

    public static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static ServerProcess Launch(string executable, IEnumerable<string> arguments, int port, string? workingDirectory) =>
        new(ToolProcess.Start(executable, arguments, new ToolOptions { WorkingDirectory = workingDirectory ?? "", KeptLines = KeptLines }), port, workingDirectory);

    private async Task WaitUntilListeningAsync(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited)
            {
                // let the output readers catch up so the message carries the server's last words
                await _process.WaitForExitAsync(TimeSpan.FromSeconds(2));
                throw new ServerExitedException($"exited with code {_process.ExitCode}");
            }
            using (var client = new TcpClient())
            {
                try
                {
                    using var attempt = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                    await client.ConnectAsync(IPAddress.Loopback, Port, attempt.Token);
                    if (!_process.HasExited)
                    {
                        return;
                    }
                    // someone else took the port and our server died failing to bind: the top of the loop reports it
                    continue;
                }
                catch (Exception e) when (e is SocketException or OperationCanceledException)
                {
                    // not listening yet
                }
            }
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"no connection within {timeout.TotalSeconds:0} s");
            }
            await Task.Delay(100);
        }
    }

    private sealed class ServerExitedException(string message) : Exception(message);
}
