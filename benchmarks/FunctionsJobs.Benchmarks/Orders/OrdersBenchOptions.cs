namespace FunctionsJobs.Benchmarks.Orders;

/// <param name="Orders">Orders per timed phase.</param>
/// <param name="Rounds">Baseline/runtime pairs; the medians are compared.</param>
/// <param name="Warmup">Orders of one untimed pair first (JIT, connections, SMTP pool).</param>
/// <param name="Clients">Concurrent clients placing orders, on both sides.</param>
internal sealed record OrdersBenchOptions(int Orders = 1000, int Rounds = 3, int Warmup = 200, int Clients = 16)
{
    public static bool TryParse(string[] args, out OrdersBenchOptions options, out string? error)
    {
        options = new OrdersBenchOptions();
        if (!BenchArgs.TryParse(args, new Dictionary<string, int> { ["--orders"] = 1, ["--rounds"] = 1, ["--warmup"] = 0, ["--clients"] = 1 }, out var values, out error))
        {
            return false;
        }

        options = new OrdersBenchOptions(values.GetValueOrDefault("--orders", options.Orders), values.GetValueOrDefault("--rounds", options.Rounds), values.GetValueOrDefault("--warmup", options.Warmup), values.GetValueOrDefault("--clients", options.Clients));
        return true;
    }
}
