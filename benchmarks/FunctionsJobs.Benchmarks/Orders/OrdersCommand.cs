using System.Globalization;

namespace FunctionsJobs.Benchmarks.Orders;

/// <summary>
/// orders: sustained orders per second from POST to Completed on the Host, with completion latency,
/// against a baseline doing the same storage and SMTP operations without the runtime, in one run
/// against one Azurite and one maildev it starts.
/// </summary>
internal static class OrdersCommand
{
    public const double ThroughputTarget = 0.7;

    /// <summary>Runtime p50 over baseline p50 in the paced phase.</summary>
    public const double PacedLatencyTarget = 1.5;

    /// <summary>p50 of a lone order at an idle Host, POST to Completed.</summary>
    public static readonly TimeSpan IdleLatencyTarget = TimeSpan.FromMilliseconds(300);

    /// <summary>Any phase taking longer than this is broken, not slow.</summary>
    public static readonly TimeSpan PhaseTimeout = TimeSpan.FromMinutes(3);

    public static async Task<int> RunAsync(OrdersBenchOptions options)
    {
        await using var bench = await BenchEnvironment.StartAsync();
        Print($"orders: Azurite (on disk) and maildev on loopback, {Environment.ProcessorCount} cores, .NET {Environment.Version}, " +
              $"{options.Orders} orders x {options.Rounds} rounds, {options.Clients} clients, 2 lines per order over {BenchEnvironment.Skus.Length} SKUs");

        if (options.Warmup > 0)
        {
            var warmBaseline = await BaselineOrders.RunAsync(bench, options.Warmup, options.Clients);
            var warmRuntime = await RuntimeOrders.RunAsync(bench, options.Warmup, options.Clients);
            await bench.Mail.ClearAsync();
            Print($"warm-up ({options.Warmup} orders, not counted): baseline {warmBaseline.OrdersPerSecond:F0}/s, runtime {warmRuntime.OrdersPerSecond:F0}/s");
        }

        var baselines = new List<PhaseResult>();
        var runtimes = new List<PhaseResult>();
        for (var round = 1; round <= options.Rounds; round++)
        {
            // Alternate which goes first, so a drift in machine load does not always hit one side.
            PhaseResult baseline, runtime;
            if (round % 2 == 1)
            {
                baseline = await BaselineOrders.RunAsync(bench, options.Orders, options.Clients);
                runtime = await RuntimeOrders.RunAsync(bench, options.Orders, options.Clients);
            }
            else
            {
                runtime = await RuntimeOrders.RunAsync(bench, options.Orders, options.Clients);
                baseline = await BaselineOrders.RunAsync(bench, options.Orders, options.Clients);
            }

            await bench.Mail.ClearAsync();
            baselines.Add(baseline);
            runtimes.Add(runtime);
            Print($"round {round}/{options.Rounds}: baseline {Describe(baseline)}; runtime {Describe(runtime)}; ratio {runtime.OrdersPerSecond / baseline.OrdersPerSecond:F2}");
        }

        var b = Median(baselines);
        var r = Median(runtimes);
        var ratio = r.OrdersPerSecond / b.OrdersPerSecond;

        // The rounds above place every order at once, so their latency is mostly waiting in the
        // queue. Paced (32 orders/s, or half the baseline's throughput) it is the time one order takes.
        var rate = options.Rate > 0 ? options.Rate : Math.Max(1, Math.Round(b.OrdersPerSecond / 2));
        var pacedOrders = (int)Math.Min(options.Orders, rate * 10);
        var pacedBaseline = await BaselineOrders.RunAsync(bench, pacedOrders, options.Clients, rate);
        var pacedRuntime = await RuntimeOrders.RunAsync(bench, pacedOrders, options.Clients, rate);
        Print($"paced at {rate:F0} orders/s ({pacedOrders} orders): baseline p50 {pacedBaseline.P50Ms:F0} ms, p99 {pacedBaseline.P99Ms:F0} ms; runtime p50 {pacedRuntime.P50Ms:F0} ms, p99 {pacedRuntime.P99Ms:F0} ms");
        PhaseResult? idle = null;
        var maxPollingInterval = QueueDispatch.BenchStorage.HostJsonMaxPollingInterval;
        if (options.IdleOrders > 0)
        {
            idle = await RuntimeOrders.RunIdleAsync(bench, options.IdleOrders, maxPollingInterval);
            Print($"idle: {options.IdleOrders} orders one at a time at an idle Host (maxPollingInterval {maxPollingInterval:c}, as host.json): p50 {idle.P50Ms:F0} ms, slowest {idle.P99Ms:F0} ms");
        }

        Print("summary:");
        Print($"orders: runtime {r.OrdersPerSecond:F0} orders/s (all at once: p50 {r.P50Ms:F0} ms, p99 {r.P99Ms:F0} ms, {r.StorageRequestsPerOrder:F1} storage requests/order), " +
              $"baseline {b.OrdersPerSecond:F0} orders/s (all at once: p50 {b.P50Ms:F0} ms, p99 {b.P99Ms:F0} ms, {b.StorageRequestsPerOrder:F1} storage requests/order), " +
              $"ratio {ratio:F2} (target >= {ThroughputTarget:F1}; rounds {string.Join(" ", runtimes.Zip(baselines, (x, y) => (x.OrdersPerSecond / y.OrdersPerSecond).ToString("F2", CultureInfo.InvariantCulture)))})" +
              (ratio >= ThroughputTarget ? string.Empty : "  MISSED"));
        var pacedRatio = pacedRuntime.P50Ms / pacedBaseline.P50Ms;
        Print($"orders: completion latency at {rate:F0} orders/s: runtime p50 {pacedRuntime.P50Ms:F0} ms, p99 {pacedRuntime.P99Ms:F0} ms; baseline p50 {pacedBaseline.P50Ms:F0} ms, p99 {pacedBaseline.P99Ms:F0} ms; " +
              $"p50 ratio {pacedRatio:F2} (target <= {PacedLatencyTarget:F1})" + (pacedRatio <= PacedLatencyTarget ? string.Empty : "  MISSED"));
        if (idle is not null)
        {
            Print($"orders: a lone order at an idle Host, POST to Completed: p50 {idle.P50Ms:F0} ms (target <= {IdleLatencyTarget.TotalMilliseconds:F0} ms)" +
                  (idle.P50Ms <= IdleLatencyTarget.TotalMilliseconds ? string.Empty : "  MISSED"));
        }

        return 0;
    }

    private static string Describe(PhaseResult p) =>
        $"{p.OrdersPerSecond:F0} orders/s, p50 {p.P50Ms:F0} ms, p99 {p.P99Ms:F0} ms, {p.StorageRequestsPerOrder:F1} req/order";

    /// <summary>The round with the median throughput, latencies included, so the figures belong together.</summary>
    private static PhaseResult Median(List<PhaseResult> results) => results.OrderBy(x => x.OrdersPerSecond).ElementAt(results.Count / 2);

    private static void Print(string line) => Console.WriteLine(line);
}
