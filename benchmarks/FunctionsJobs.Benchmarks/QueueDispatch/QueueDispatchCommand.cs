using System.Globalization;
using System.Text.Json;
using FunctionsJobs.Testing;

namespace FunctionsJobs.Benchmarks.QueueDispatch;

/// <summary>
/// queue-dispatch: throughput of the Host's queue trigger against the raw SDK, the idle polling
/// cost, and message safety on shutdown, all in one process against one Azurite it starts. Figures
/// from one run are compared with each other (ratios), never with another machine's.
/// </summary>
internal static class QueueDispatchCommand
{
    public const int BatchSize = 32;
    public const int NewBatchThreshold = 16;
    public const double ThroughputTarget = 0.9;
    public const double IdleTarget = 1.0;

    /// <summary>Any phase taking longer than this is broken, not slow.</summary>
    public static readonly TimeSpan PhaseTimeout = TimeSpan.FromMinutes(2);

    public static async Task<int> RunAsync(QueueDispatchOptions options)
    {
        await using var azurite = await AzuriteServer.StartAsync();
        var counter = new StorageRequestCounter();
        var account = BenchStorage.CountingAccount(azurite.ConnectionString, counter);
        var connectionString = azurite.ConnectionString;

        Print($"queue-dispatch: Azurite {AzuriteVersion()} (in-memory, loopback), {Environment.ProcessorCount} cores, .NET {Environment.Version}, " +
              $"{options.Messages} messages x {options.Rounds} rounds, batchSize {BatchSize}, newBatchThreshold {NewBatchThreshold}");

        if (options.Warmup > 0)
        {
            var warmBaseline = await BaselineAsync(options.Warmup);
            var warmRuntime = await RuntimeAsync(options.Warmup);
            Print($"warm-up ({options.Warmup} messages, not counted): baseline {warmBaseline:F0} msg/s, runtime {warmRuntime:F0} msg/s");
        }

        // Alternate which goes first, so a drift in machine load (another build, a test run)
        // does not always fall on the same side.
        var baselines = new List<double>();
        var runtimes = new List<double>();
        for (var round = 1; round <= options.Rounds; round++)
        {
            double baseline, runtime;
            if (round % 2 == 1)
            {
                baseline = await BaselineAsync(options.Messages);
                runtime = await RuntimeAsync(options.Messages);
            }
            else
            {
                runtime = await RuntimeAsync(options.Messages);
                baseline = await BaselineAsync(options.Messages);
            }

            baselines.Add(baseline);
            runtimes.Add(runtime);
            Print($"round {round}/{options.Rounds}: baseline {baseline:F0} msg/s, runtime {runtime:F0} msg/s, ratio {runtime / baseline:F2}");
        }

        var baselineMedian = Median(baselines);
        var runtimeMedian = Median(runtimes);
        var ratio = runtimeMedian / baselineMedian;
        Print($"baseline: median {baselineMedian:F0} msg/s (SDK loop: receive {BatchSize}, delete each, up to {BatchSize + NewBatchThreshold} in flight)");
        Print($"runtime: median {runtimeMedian:F0} msg/s (Host queue trigger, no-op handler, first handled to last deleted)");

        var idleQueue = BenchStorage.NewQueueName("bench-idle");
        var (idleRequests, idleElapsed) = await IdlePolling.RunAsync(connectionString, account, counter, idleQueue);
        var idleRate = idleRequests / idleElapsed.TotalSeconds;
        Print($"idle: {idleRequests} requests in {idleElapsed.TotalSeconds:F1} s to an empty queue = {idleRate:F2} req/s " +
              $"(maxPollingInterval {IdlePolling.MaxPollingInterval:c}, after {IdlePolling.Settle.TotalSeconds:F0} s to back off)");

        var shutdown = await ShutdownDrain.RunAsync(connectionString, account, BenchStorage.NewQueueName("bench-shutdown"));
        Print($"shutdown: {ShutdownDrain.Messages} messages, peak {shutdown.PeakRunning} handlers running, drain {ShutdownDrain.DrainTimeout.TotalSeconds:F0} s, " +
              $"stop took {shutdown.Stopping.TotalSeconds:F1} s: completed {shutdown.Completed}, returned {shutdown.Returned}, lost {shutdown.Lost}, in both {shutdown.Duplicated}");

        Print("summary:");
        Print($"queue-dispatch: runtime {runtimeMedian:F0} msg/s, baseline {baselineMedian:F0} msg/s, ratio {ratio:F2} " +
              $"(target >= {ThroughputTarget:F1}; rounds {string.Join(" ", runtimes.Zip(baselines, (r, b) => (r / b).ToString("F2", CultureInfo.InvariantCulture)))}){Missed(ratio >= ThroughputTarget)}");
        Print($"queue-dispatch: idle {idleRate:F2} req/s (target <= {IdleTarget:F0}){Missed(idleRate <= IdleTarget)}");
        Print($"queue-dispatch: shutdown completed {shutdown.Completed} / returned {shutdown.Returned} / lost {shutdown.Lost}, in both {shutdown.Duplicated} " +
              $"(target lost = 0, in both = 0){Missed(shutdown.Lost == 0 && shutdown.Duplicated == 0)}");
        return 0;

        async Task<double> BaselineAsync(int messages)
        {
            var queue = await FilledQueueAsync("bench-sdk", messages);
            var rate = await SdkBaseline.RunAsync(account, queue, messages, BatchSize, NewBatchThreshold);
            await BenchStorage.DeleteAsync(account, queue);
            return rate;
        }

        async Task<double> RuntimeAsync(int messages)
        {
            var queue = await FilledQueueAsync("bench-host", messages);
            var rate = await HostThroughput.RunAsync(connectionString, account, counter, queue, messages, BatchSize, NewBatchThreshold);
            await BenchStorage.DeleteAsync(account, queue);
            return rate;
        }

        // A fresh queue per phase, filled before the clock starts.
        async Task<string> FilledQueueAsync(string prefix, int messages)
        {
            var queue = BenchStorage.NewQueueName(prefix);
            await BenchStorage.FillAsync(account, queue, Enumerable.Range(0, messages).Select(i => $"message-{i}"));
            return queue;
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        var middle = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    private static string Missed(bool met) => met ? string.Empty : "  MISSED";

    private static void Print(string line) => Console.WriteLine(line);

    private static string AzuriteVersion()
    {
        using var package = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "node_modules", "azurite", "package.json")));
        return package.RootElement.GetProperty("version").GetString() ?? "?";
    }
}
