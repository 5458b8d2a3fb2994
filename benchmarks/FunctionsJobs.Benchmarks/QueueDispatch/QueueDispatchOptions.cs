namespace FunctionsJobs.Benchmarks.QueueDispatch;

/// <param name="Messages">Messages per timed phase.</param>
/// <param name="Rounds">Baseline/runtime pairs; more rounds steady the medians on a busy machine.</param>
/// <param name="Warmup">Messages of one untimed pair first, so JIT and connection set-up are not measured.</param>
internal sealed record QueueDispatchOptions(int Messages = 3000, int Rounds = 3, int Warmup = 500)
{
    public static bool TryParse(string[] args, out QueueDispatchOptions options, out string? error)
    {
        options = new QueueDispatchOptions();
        if (!BenchArgs.TryParse(args, new Dictionary<string, int> { ["--messages"] = 1, ["--rounds"] = 1, ["--warmup"] = 0 }, out var values, out error))
        {
            return false;
        }

        options = new QueueDispatchOptions(values.GetValueOrDefault("--messages", options.Messages), values.GetValueOrDefault("--rounds", options.Rounds), values.GetValueOrDefault("--warmup", options.Warmup));
        return true;
    }
}
