namespace VideoDiffusion.Farm.Tests.Shared;

/// <summary>A throwaway Redis (Debian's redis-server) on a free loopback port, without persistence; killed on dispose.</summary>
public sealed class RedisServer : IAsyncDisposable, IDisposable
{
    private readonly ServerProcess _process;

    private RedisServer(ServerProcess process) => _process = process;

    public int Port => _process.Port;

    /// <summary>StackExchange.Redis style: <c>127.0.0.1:PORT</c>.</summary>
    public string ConnectionString => $"127.0.0.1:{Port}";

    /// <param name="password">When given, clients must authenticate with it (<c>requirepass</c>).</param>
    /// <param name="port">A fixed port (to start an empty Redis where a stopped one listened); a free one when null.</param>
    public static async Task<RedisServer> StartAsync(string? password = null, int? port = null)
    {
        var executable = ServerProcess.FindExecutable("redis-server", "/usr/bin/redis-server", "/usr/sbin/redis-server");
        var process = await ServerProcess.StartAsync(
            "redis", executable,
            port => ["--port", port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", .. password is null ? Array.Empty<string>() : ["--requirepass", password]],
            TimeSpan.FromSeconds(30),
            ownWorkingDirectory: true,
            fixedPort: port);
        return new RedisServer(process);
    }

    public void Dispose() => _process.Dispose();

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
