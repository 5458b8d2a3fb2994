namespace FunctionsJobs.Benchmarks.QueueDispatch;

/// <param name="Messages">Messages per timed phase.</param>
/// <param name="Rounds">Baseline/runtime pairs; more rounds steady the medians on a busy machine.</param>
/// <param name="Warmup">Messages of one untimed pair first, so JIT and connection set-up are not measured.</param>
/// <param name="InMemory">Azurite with --inMemoryPersistence instead of a temporary folder (see QueueDispatchCommand).</param>
internal sealed record QueueDispatchOptions(int Messages = 2000, int Rounds = 5, int Warmup = 300, bool InMemory = false)
{
    public static bool TryParse(string[] args, out QueueDispatchOptions options, out string? error)
    {
        options = new QueueDispatchOptions();
        var inMemory = args.Contains("--in-memory");
        string[] numbers = [.. args.Where(a => a != "--in-memory")];
        if (!BenchArgs.TryParse(numbers, new Dictionary<string, int> { ["--messages"] = 1, ["--rounds"] = 1, ["--warmup"] = 0 }, out var values, out error))
        {
            return false;
        }

        options = new QueueDispatchOptions(
            values.GetValueOrDefault("--messages", options.Messages), values.GetValueOrDefault("--rounds", options.Rounds), values.GetValueOrDefault("--warmup", options.Warmup), inMemory);
        return true;
    }
}
