namespace VideoDiffusion.Farm.Tests.Shared;

/// <summary>A throwaway Azurite blob emulator (npm, tools/node) on a free loopback port, in memory; killed on dispose.</summary>
public sealed class AzuriteServer : IAsyncDisposable, IDisposable
{
    /// <summary>The well-known development storage account key every Azurite accepts.</summary>
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    public const string AccountName = "devstoreaccount1";

    private readonly ServerProcess _process;

    private AzuriteServer(ServerProcess process) => _process = process;

    public int Port => _process.Port;

    public string BlobEndpoint => $"http://127.0.0.1:{Port}/{AccountName}";

    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};BlobEndpoint={BlobEndpoint};";

    /// <param name="port">A fixed port (to start an empty Azurite where a stopped one listened); a free one when null.</param>
    public static async Task<AzuriteServer> StartAsync(int? port = null)
    {
        var executable = ServerProcess.FindExecutable(
            "azurite-blob", Path.Combine(RepositoryPaths.Root, "tools", "node", "node_modules", ".bin", "azurite-blob"));
        // --location cannot be combined with --inMemoryPersistence (Azurite exits): the server runs in its own temp
        // folder instead, so anything it might write lands there and goes on dispose
        var process = await ServerProcess.StartAsync(
            "azurite", executable,
            port =>
            [
                "--blobHost", "127.0.0.1", "--blobPort", port.ToString(), "--inMemoryPersistence", "--silent",
                "--skipApiVersionCheck", "--disableTelemetry",
            ],
            TimeSpan.FromSeconds(60),
            ownWorkingDirectory: true,
            fixedPort: port);
        return new AzuriteServer(process);
    }

    public void Dispose() => _process.Dispose();

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
