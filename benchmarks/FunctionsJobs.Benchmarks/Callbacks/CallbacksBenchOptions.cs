namespace FunctionsJobs.Benchmarks.Callbacks;

/// <param name="Orders">Orders per timed phase.</param>
/// <param name="Rate">Orders placed per second (open loop).</param>
/// <param name="Rounds">Pairs of phases, without and with a callback.</param>
/// <param name="Warmup">Orders of one untimed pair first.</param>
internal sealed record CallbacksBenchOptions(int Orders = 1000, int Rate = 50, int Rounds = 2, int Warmup = 100)
{
    public static bool TryParse(string[] args, out CallbacksBenchOptions options, out string? error)
    {
        options = new CallbacksBenchOptions();
        if (!BenchArgs.TryParse(args, new Dictionary<string, int> { ["--orders"] = 1, ["--rate"] = 1, ["--rounds"] = 1, ["--warmup"] = 0 }, out var values, out error))
        {
            return false;
        }

        options = new CallbacksBenchOptions(
            values.GetValueOrDefault("--orders", options.Orders), values.GetValueOrDefault("--rate", options.Rate),
            values.GetValueOrDefault("--rounds", options.Rounds), values.GetValueOrDefault("--warmup", options.Warmup));
        return true;
    }
}
