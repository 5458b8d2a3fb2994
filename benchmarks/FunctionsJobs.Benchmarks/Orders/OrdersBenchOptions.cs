namespace FunctionsJobs.Benchmarks.Orders;

/// <param name="Orders">Orders per timed phase.</param>
/// <param name="Rounds">Baseline/runtime pairs; the medians are compared.</param>
/// <param name="Warmup">Orders of one untimed pair first (JIT, connections, SMTP pool).</param>
/// <param name="Clients">Concurrent clients placing orders, on both sides.</param>
/// <param name="Rate">Orders per second of the paced phase; 0: half the baseline's throughput.</param>
/// <param name="IdleOrders">Orders placed one at a time at an idle Host; 0 skips that phase.</param>
internal sealed record OrdersBenchOptions(int Orders = 1000, int Rounds = 3, int Warmup = 200, int Clients = 16, int Rate = 32, int IdleOrders = 10)
{
    public static bool TryParse(string[] args, out OrdersBenchOptions options, out string? error)
    {
        options = new OrdersBenchOptions();
        var minimums = new Dictionary<string, int> { ["--orders"] = 1, ["--rounds"] = 1, ["--warmup"] = 0, ["--clients"] = 1, ["--rate"] = 0, ["--idle-orders"] = 0 };
        if (!BenchArgs.TryParse(args, minimums, out var values, out error))
        {
            return false;
        }

        options = new OrdersBenchOptions(
            values.GetValueOrDefault("--orders", options.Orders),
            values.GetValueOrDefault("--rounds", options.Rounds),
            values.GetValueOrDefault("--warmup", options.Warmup),
            values.GetValueOrDefault("--clients", options.Clients),
            values.GetValueOrDefault("--rate", options.Rate),
            values.GetValueOrDefault("--idle-orders", options.IdleOrders));
        return true;
    }
}
