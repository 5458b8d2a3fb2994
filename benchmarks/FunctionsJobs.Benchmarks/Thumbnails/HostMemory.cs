using System.Diagnostics;
using System.Globalization;
using FunctionsJobs.Core.Storage;
using FunctionsJobs.Core.Thumbnails;
using Microsoft.Extensions.Configuration;
using FunctionsJobs.Testing;

namespace FunctionsJobs.Benchmarks.Thumbnails;

internal sealed record MemoryResult(int Uploads, int Finished, TimeSpan Elapsed, double PeakRssMb, double FinalRssMb);

/// <summary>
/// Peak RSS of the Host as an operator runs it (its own process, default settings, Production)
/// through a burst of photo-sized uploads: the kernel's high-water mark (VmHWM), read once every
/// image has reached Done or Failed.
/// </summary>
internal static class HostMemory
{
    private const string FunctionKey = "bench-function-key-0001";

    /// <param name="inFlight">Uploads sent at once.</param>
    /// <param name="environment">More environment variables for the Host, e.g. a core count or a memory limit to emulate.</param>
    public static async Task<MemoryResult> RunAsync(string connectionString, BenchImages images, int burst, int inFlight = 16, IReadOnlyDictionary<string, string>? environment = null)
    {
        var port = LoopbackPorts.Free(1)[0];
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Directory.CreateTempSubdirectory("functionsjobs-bench-host-").FullName,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "FunctionsJobs.Host.dll"));
        start.Environment["AzureWebJobsStorage"] = connectionString;
        start.Environment["AZURE_FUNCTIONS_ENVIRONMENT"] = "Production";
        start.Environment["FunctionsJobs__FunctionKey"] = FunctionKey;
        start.Environment["FunctionsJobs__MasterKey"] = "bench-master-key-000001";
        start.Environment["AzureFunctionsWebHost__hostid"] = "bench-memory";
        start.Environment["OrdersPaymentGateway"] = "Sandbox";
        start.Environment["urls"] = $"http://127.0.0.1:{port}";
        if (Environment.GetEnvironmentVariable("BENCH_HOST_GCSERVER") is { } gcServer)
        {
            start.Environment["DOTNET_gcServer"] = gcServer;
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data?.Contains("Host running on", StringComparison.Ordinal) == true)
            {
                running.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await running.Task.WaitAsync(TimeSpan.FromMinutes(1));
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(5) };
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["AzureWebJobsStorage"] = connectionString }).Build();
            var store = new ThumbnailStatusStore(StorageAccount.FromConfiguration(configuration), ThumbnailSettings.FromConfiguration(configuration), TimeProvider.System);

            var clock = Stopwatch.StartNew();
            using var gate = new SemaphoreSlim(inFlight);
            var ids = (await Task.WhenAll(Enumerable.Range(0, burst).Select(async i =>
            {
                await gate.WaitAsync();
                try
                {
                    return await EndToEnd.UploadAsync(http, FunctionKey, images, i);
                }
                finally
                {
                    gate.Release();
                }
            }))).ToHashSet(StringComparer.Ordinal);

            // No signal crosses the process boundary: poll the status table, once a second.
            var finished = 0;
            var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(15);
            while (DateTime.UtcNow < deadline)
            {
                finished = 0;
                await foreach (var record in store.ListAsync(CancellationToken.None))
                {
                    if (ids.Contains(record.Id) && record.Status is ImageStatus.Done or ImageStatus.Failed)
                    {
                        finished++;
                    }
                }

                if (finished == ids.Count)
                {
                    break;
                }

                await Task.Delay(1000);
            }

            var elapsed = clock.Elapsed;
            var pid = process.Id.ToString(CultureInfo.InvariantCulture);
            var (peak, current) = (ProcStatus.Mib(pid, "VmHWM"), ProcStatus.Mib(pid, "VmRSS"));
            return new MemoryResult(burst, finished, elapsed, peak, current);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Directory.Delete(start.WorkingDirectory, recursive: true);
        }
    }

}
