using System.Globalization;
using FunctionsJobs.Benchmarks.Orders;
using FunctionsJobs.Core.Callbacks;
using FunctionsJobs.Testing;

namespace FunctionsJobs.Benchmarks.Callbacks;

/// <summary>
/// callbacks: the Host placing orders at a steady rate, each with a <c>Callback-Url</c> to a real
/// receiver (Kestrel on loopback, verifying every signature): how long from an order's terminal
/// state (the event's timestamp, taken as the terminal checkpoint is written) to the receiver having
/// the event, p50/p99, and what the
/// callbacks cost in storage requests per order, against the same orders without a callback in
/// the same run.
/// </summary>
internal static class CallbacksCommand
{
    private const string Secret = "whsec_YmVuY2htYXJrLWNhbGxiYWNrcy1zaWduaW5nLWtleQ==";

    public static async Task<int> RunAsync(CallbacksBenchOptions options)
    {
        await using var bench = await BenchEnvironment.StartAsync();
        await using var receiver = await CallbackReceiver.StartAsync(Secret);
        Print($"callbacks: Azurite (on disk), maildev and a receiver on loopback, {Environment.ProcessorCount} cores, .NET {Environment.Version}, " +
              $"{options.Orders} orders x {options.Rounds} rounds at {options.Rate} orders/s; load average {LoadAverage()}");

        if (options.Warmup > 0)
        {
            await RuntimeOrders.RunAsync(bench, options.Warmup, 16, options.Rate);
            await WithCallbacksAsync(bench, receiver, options.Warmup, options.Rate);
            Print($"warm-up ({options.Warmup} orders each way, not counted)");
        }

        var without = new List<PhaseResult>();
        var with = new List<(PhaseResult Phase, List<double> Latencies)>();
        for (var round = 1; round <= options.Rounds; round++)
        {
            // Alternate which goes first, so a drift in machine load does not always hit one side.
            if (round % 2 == 0)
            {
                with.Add(await WithCallbacksAsync(bench, receiver, options.Orders, options.Rate));
            }

            without.Add(await RuntimeOrders.RunAsync(bench, options.Orders, 16, options.Rate));
            if (round % 2 == 1)
            {
                with.Add(await WithCallbacksAsync(bench, receiver, options.Orders, options.Rate));
            }

            var (phase, latencies) = with[^1];
            Print($"round {round}/{options.Rounds}: without {without[^1].StorageRequestsPerOrder:F2} req/order, completion p50 {without[^1].P50Ms:F0} ms; " +
                  $"with {phase.StorageRequestsPerOrder:F2} req/order, completion p50 {phase.P50Ms:F0} ms, callback p50 {Percentile(latencies, 0.5):F0} ms, p99 {Percentile(latencies, 0.99):F0} ms");
        }

        var all = with.SelectMany(w => w.Latencies).Order().ToList();
        var extra = with.Select(w => w.Phase.StorageRequestsPerOrder).Average() - without.Select(w => w.StorageRequestsPerOrder).Average();
        Print("summary:");
        Print($"callbacks: terminal state to receiver at {options.Rate} orders/s: p50 {Percentile(all, 0.5):F0} ms, p99 {Percentile(all, 0.99):F0} ms ({all.Count} events); " +
              $"storage requests per order {with.Select(w => w.Phase.StorageRequestsPerOrder).Average():F2} with a callback, {without.Select(w => w.StorageRequestsPerOrder).Average():F2} without (+{extra:F2}); " +
              $"order completion p50 {with.Select(w => w.Phase.P50Ms).Average():F0} ms with, {without.Select(w => w.P50Ms).Average():F0} ms without; load average {LoadAverage()}");
        return 0;
    }

    /// <summary>One phase with callbacks; it counts as done once the receiver has every order's event.</summary>
    private static async Task<(PhaseResult Phase, List<double> Latencies)> WithCallbacksAsync(BenchEnvironment bench, CallbackReceiver receiver, int orders, int rate)
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var path = $"/hooks/{suffix}";
        var settings = new Dictionary<string, string>
        {
            [CallbackSettings.QueueNameSetting] = $"bench-callbacks-{suffix}",
            [CallbackSettings.SigningSecretSetting] = Secret,
            [CallbackSettings.AllowPrivateNetworksSetting] = "true",
        };
        var mine = () => receiver.Received.Where(r => r.PathAndQuery == path && r.Answer == 200);
        var callback = new PhaseCallback(CallbackRequests.UrlHeader, receiver.Url(path), settings, () => receiver.WaitUntilAsync(_ => mine().Count() >= orders, OrdersCommand.PhaseTimeout));
        var phase = await RuntimeOrders.RunAsync(bench, orders, 16, rate, callback);

        // The event's timestamp is taken as its terminal checkpoint is written (staged just before it).
        var latencies = mine().GroupBy(r => r.EventId).Select(g => g.First())
            .Select(r => (r.At - r.Body!.Value.GetProperty("timestamp").GetDateTimeOffset()).TotalMilliseconds).Order().ToList();
        return (phase, latencies);
    }

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted.Order().ElementAt(Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1));

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private static void Print(string line) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{line}"));
}
