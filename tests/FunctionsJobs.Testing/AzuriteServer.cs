namespace FunctionsJobs.Testing;

/// <summary>
/// A real Azurite from the repository's node_modules on free loopback ports. It runs under
/// scripts/with-parent.mjs, so it stops with the test process even if that process is killed.
/// </summary>
public sealed class AzuriteServer : IAsyncDisposable
{
    public const string AccountName = "devstoreaccount1";
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly string? _location;
    private GuardedNodeProcess? _process;

    private AzuriteServer(string? location, int blobPort, int queuePort, int tablePort)
    {
        _location = location;
        BlobPort = blobPort;
        QueuePort = queuePort;
        TablePort = tablePort;
    }

    public int BlobPort { get; }

    public int QueuePort { get; }

    public int TablePort { get; }

    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};" +
        $"BlobEndpoint=http://127.0.0.1:{BlobPort}/{AccountName};QueueEndpoint=http://127.0.0.1:{QueuePort}/{AccountName};TableEndpoint=http://127.0.0.1:{TablePort}/{AccountName};";

    public bool IsRunning => _process is { IsRunning: true };

    /// <summary>Starts Azurite with in-memory storage, or on disk in <paramref name="location"/> so data survives a restart.</summary>
    public static Task<AzuriteServer> StartAsync(string? location = null) =>
        LoopbackPorts.StartOnFreePortsAsync(3, async ports =>
        {
            var server = new AzuriteServer(location, ports[0], ports[1], ports[2]);
            await server.StartProcessAsync().ConfigureAwait(false);
            return server;
        });

    /// <summary>Stops the process; the ports stay reserved for <see cref="StartAgainAsync"/>.</summary>
    public async Task StopAsync()
    {
        var process = _process;
        _process = null;
        if (process is not null)
        {
            await process.StopAsync().ConfigureAwait(false);
        }
    }

    public Task StartAgainAsync() => StartProcessAsync();

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    private async Task StartProcessAsync()
    {
        var arguments = new List<string>
        {
            "--blobHost", "127.0.0.1", "--blobPort", BlobPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--queueHost", "127.0.0.1", "--queuePort", QueuePort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--tableHost", "127.0.0.1", "--tablePort", TablePort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--skipApiVersionCheck", "--disableTelemetry", "--loose", "--silent",
        };
        arguments.AddRange(_location is null ? ["--inMemoryPersistence"] : ["--location", _location]);
        _process = await GuardedNodeProcess.StartAsync(
            "Azurite", Path.Combine("azurite", "dist", "src", "azurite.js"), arguments, _location ?? Path.GetTempPath(), "successfully listening", 3).ConfigureAwait(false);
    }
}
