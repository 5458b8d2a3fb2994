using FunctionsJobs.Testing;

namespace FunctionsJobs.Benchmarks;

/// <summary>
/// An Azurite on disk in a fresh temporary folder, deleted with it: the emulator as the benchmarks
/// run it (docs/benchmarks.md, Azurite), empty, so a phase pays for no earlier phase's data.
/// </summary>
internal sealed class DiskAzurite(AzuriteServer server, string folder) : IAsyncDisposable
{
    public AzuriteServer Server { get; } = server;

    public static async Task<DiskAzurite> StartAsync()
    {
        var folder = Directory.CreateTempSubdirectory("functionsjobs-bench-azurite-").FullName;
        try
        {
            return new DiskAzurite(await AzuriteServer.StartAsync(folder), folder);
        }
        catch
        {
            Directory.Delete(folder, recursive: true);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        Directory.Delete(folder, recursive: true);
    }
}
