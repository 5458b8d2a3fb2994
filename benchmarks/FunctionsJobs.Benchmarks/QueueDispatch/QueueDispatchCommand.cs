using System.Diagnostics;
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
    public const double ThroughputTarget = 1.0;

    /// <summary>This process's CPU per message, runtime over baseline.</summary>
    public const double CpuTarget = 1.2;
    public const double IdleTarget = 1.0;

    /// <summary>Telemetry on may cost at most 10 % of the throughput with it off.</summary>
    public const double TelemetryTarget = 0.9;

    /// <summary>Any phase taking longer than this is broken, not slow.</summary>
    public static readonly TimeSpan PhaseTimeout = TimeSpan.FromMinutes(2);

    private static readonly TimeSpan SettleAfterFill = TimeSpan.FromSeconds(1);

    public static async Task<int> RunAsync(QueueDispatchOptions options)
    {
        // On disk, not in memory: Azurite's in-memory store keeps one extent per message and its
        // queue GC (every 60 s) removes them one by one with a full scan each, without yielding to
        // I/O. After a few thousand messages that freezes the emulator for up to a minute (seen
        // here: a fresh client waited 60 s for an answer). On disk, messages share extent files.
        var location = options.InMemory ? null : Directory.CreateTempSubdirectory("fjbench-azurite-").FullName;
        try
        {
            return await RunAsync(options, location);
        }
        finally
        {
            if (location is not null)
            {
                Directory.Delete(location, recursive: true);
            }
        }
    }

    private static async Task<int> RunAsync(QueueDispatchOptions options, string? location)
    {
        var run = Stopwatch.StartNew();
        await using var azurite = await AzuriteServer.StartAsync(location);
        try
        {
            await MeasureAsync(options, azurite, location is null ? "in-memory" : "on disk");
        }
        catch (Exception ex) when (!azurite.IsRunning)
        {
            // Otherwise this reads as a runtime failure (timeouts, refused connections).
            Console.Error.WriteLine($"queue-dispatch: Azurite exited during the run; no figure after this point is valid ({ex.GetType().Name}: {ex.Message})");
            return 1;
        }

        Print($"queue-dispatch: whole run {run.Elapsed.TotalSeconds:F0} s");
        return 0;
    }

    private static async Task MeasureAsync(QueueDispatchOptions options, AzuriteServer azurite, string persistence)
    {
        var counter = new StorageRequestCounter();
        var account = BenchStorage.CountingAccount(azurite.ConnectionString, counter);
        var connectionString = azurite.ConnectionString;

        Print($"queue-dispatch: Azurite {AzuriteVersion()} ({persistence}, loopback), {Environment.ProcessorCount} cores, .NET {Environment.Version}, " +
              $"{options.Messages} messages x {options.Rounds} rounds, batchSize {BatchSize}, newBatchThreshold {NewBatchThreshold}");

        if (options.Warmup > 0)
        {
            var warmBaseline = await BaselineAsync(options.Warmup);
            var warmRuntime = await RuntimeAsync(options.Warmup);
            Print($"warm-up ({options.Warmup} messages, not counted): baseline {Describe(warmBaseline)}, runtime {Describe(warmRuntime)}");
        }

        // Alternate which goes first, so a drift in machine load (another build, a test run)
        // does not always fall on the same side.
        var baselines = new List<PhaseResult>();
        var runtimes = new List<PhaseResult>();
        var traced = new List<PhaseResult>();
        var load = LoadAverage();
        for (var round = 1; round <= options.Rounds; round++)
        {
            // With --telemetry the telemetry-on phase runs next to its telemetry-off twin, last in
            // odd rounds and first in even ones (B R T, T R B, ...), so each pair sees the same machine
            // and neither side always runs on a queue store that the other has just worked.
            PhaseResult baseline, runtime;
            PhaseResult? on = null;
            if (round % 2 == 1)
            {
                baseline = await BaselineAsync(options.Messages);
                runtime = await RuntimeAsync(options.Messages);
                on = options.Telemetry ? await RuntimeAsync(options.Messages, telemetry: true) : null;
            }
            else
            {
                on = options.Telemetry ? await RuntimeAsync(options.Messages, telemetry: true) : null;
                runtime = await RuntimeAsync(options.Messages);
                baseline = await BaselineAsync(options.Messages);
            }

            baselines.Add(baseline);
            runtimes.Add(runtime);
            Print($"round {round}/{options.Rounds}: baseline {Describe(baseline)}, runtime {Describe(runtime)}, ratio {runtime.MessagesPerSecond / baseline.MessagesPerSecond:F2}");
            if (on is { } withTelemetry)
            {
                traced.Add(withTelemetry);
                Print($"round {round}/{options.Rounds}: runtime with telemetry on {Describe(withTelemetry)}, on/off {withTelemetry.MessagesPerSecond / runtime.MessagesPerSecond:F2}");
            }
        }

        var baselineRate = Median(baselines.Select(r => r.MessagesPerSecond));
        var runtimeRate = Median(runtimes.Select(r => r.MessagesPerSecond));
        var baselineCpu = Median(baselines.Select(r => r.CpuMicrosecondsPerMessage));
        var runtimeCpu = Median(runtimes.Select(r => r.CpuMicrosecondsPerMessage));
        var ratio = runtimeRate / baselineRate;

        // Each round's pair ran back to back, so its ratio is the least disturbed by a neighbour's
        // load; shown beside the ratio of medians as a check on it.
        var roundRatios = runtimes.Zip(baselines, (r, b) => r.MessagesPerSecond / b.MessagesPerSecond).ToList();
        Print($"baseline: median {baselineRate:F0} msg/s, {baselineCpu:F0} us CPU/msg in this process (SDK loop: receive {BatchSize}, delete each, up to {BatchSize + NewBatchThreshold} in flight)");
        Print($"runtime: median {runtimeRate:F0} msg/s, {runtimeCpu:F0} us CPU/msg in this process (Host queue trigger, no-op handler, first handled to last deleted)");

        if (options.Telemetry)
        {
            var tracedRate = Median(traced.Select(r => r.MessagesPerSecond));
            var tracedCpu = Median(traced.Select(r => r.CpuMicrosecondsPerMessage));
            var pairs = traced.Zip(runtimes, (on, off) => on.MessagesPerSecond / off.MessagesPerSecond).ToList();
            Print($"telemetry: on {tracedRate:F0} msg/s, off {runtimeRate:F0} msg/s, ratio {tracedRate / runtimeRate:F2} (target >= {TelemetryTarget:F1}){Missed(tracedRate / runtimeRate >= TelemetryTarget)}; " +
                  $"per round {string.Join(" ", pairs.Select(r => r.ToString("F2", CultureInfo.InvariantCulture)))} (median {Median(pairs):F2}); CPU/msg on/off {tracedCpu / runtimeCpu:F2}; " +
                  $"load average {load} -> {LoadAverage()}");
        }

        var idleQueue = BenchStorage.NewQueueName("bench-idle");
        var (idleRequests, idleElapsed) = await IdlePolling.RunAsync(connectionString, account, counter, idleQueue);
        var idleRate = idleRequests / idleElapsed.TotalSeconds;
        Print($"idle: {idleRequests} requests in {idleElapsed.TotalSeconds:F1} s to an empty queue = {idleRate:F2} req/s " +
              $"(maxPollingInterval {IdlePolling.MaxPollingInterval:c}, after {IdlePolling.Settle.TotalSeconds:F0} s to back off)");

        var shutdown = await ShutdownDrain.RunAsync(connectionString, account, BenchStorage.NewQueueName("bench-shutdown"));
        Print($"shutdown: {ShutdownDrain.Messages} messages, peak {shutdown.PeakRunning} handlers running, drain {ShutdownDrain.DrainTimeout.TotalSeconds:F0} s, " +
              $"stop took {shutdown.Stopping.TotalSeconds:F1} s: completed {shutdown.Completed}, returned {shutdown.Returned}, lost {shutdown.Lost}, in both {shutdown.Duplicated}");

        Print("summary:");
        Print($"queue-dispatch: runtime {runtimeRate:F0} msg/s, baseline {baselineRate:F0} msg/s, ratio {ratio:F2} (target >= {ThroughputTarget:F1}){Missed(ratio >= ThroughputTarget)}; " +
              $"per round {string.Join(" ", roundRatios.Select(r => r.ToString("F2", CultureInfo.InvariantCulture)))} (median {Median(roundRatios):F2}); " +
              $"CPU/msg runtime/baseline {runtimeCpu / baselineCpu:F2} (target <= {CpuTarget:F1}){Missed(runtimeCpu / baselineCpu <= CpuTarget)}");
        Print($"queue-dispatch: idle {idleRate:F2} req/s (target <= {IdleTarget:F0}){Missed(idleRate <= IdleTarget)}");
        Print($"queue-dispatch: shutdown completed {shutdown.Completed} / returned {shutdown.Returned} / lost {shutdown.Lost}, in both {shutdown.Duplicated} " +
              $"(target lost = 0, in both = 0){Missed(shutdown.Lost == 0 && shutdown.Duplicated == 0)}");

        async Task<PhaseResult> BaselineAsync(int messages)
        {
            var queue = await FilledQueueAsync("bench-sdk", messages);
            var rate = await SdkBaseline.RunAsync(account, counter.Watch(queue), queue, messages, BatchSize, NewBatchThreshold);
            await BenchStorage.DeleteAsync(account, queue);
            return rate;
        }

        async Task<PhaseResult> RuntimeAsync(int messages, bool telemetry = false)
        {
            var visibleAt = DateTimeOffset.UtcNow + HostThroughput.HostSettle;
            var queue = BenchStorage.NewQueueName("bench-host");
            await BenchStorage.FillAsync(account, queue, Enumerable.Range(0, messages).Select(i => $"message-{i}"), visibleAt);
            if (DateTimeOffset.UtcNow > visibleAt - TimeSpan.FromSeconds(3))
            {
                Print($"warning: the fill ended {DateTimeOffset.UtcNow - visibleAt + TimeSpan.FromSeconds(3):g} too late for the Host to settle before the messages showed");
            }

            var rate = await HostThroughput.RunAsync(connectionString, account, counter, queue, messages, BatchSize, NewBatchThreshold, telemetry);
            await BenchStorage.DeleteAsync(account, queue);
            return rate;
        }

        // A fresh queue per phase, filled before the clock starts, then a pause on both sides (the
        // runtime side also waits for its Host to start): neither starts on an Azurite still busy
        // with the fill.
        async Task<string> FilledQueueAsync(string prefix, int messages)
        {
            var queue = BenchStorage.NewQueueName(prefix);
            await BenchStorage.FillAsync(account, queue, Enumerable.Range(0, messages).Select(i => $"message-{i}"));
            await Task.Delay(SettleAfterFill);
            return queue;
        }
    }

    private static string Describe(PhaseResult result) =>
        $"{result.MessagesPerSecond:F0} msg/s ({result.RequestsPerMessage:F2} requests/msg, {result.CpuMicrosecondsPerMessage:F0} us CPU/msg, {result.WorkItemsPerMessage:F1} thread-pool items/msg, {result.BytesPerMessage / 1024:F1} KiB allocated/msg)";

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        var middle = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    /// <summary>The 1-minute load average: the machine is shared, so every figure says how busy it was.</summary>
    internal static string LoadAverage() => File.ReadAllText("/proc/loadavg").Split(' ')[0];

    private static string Missed(bool met) => met ? string.Empty : "  MISSED";

    private static void Print(string line) => Console.WriteLine(line);

    private static string AzuriteVersion()
    {
        using var package = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "node_modules", "azurite", "package.json")));
        return package.RootElement.GetProperty("version").GetString() ?? "?";
    }
}
