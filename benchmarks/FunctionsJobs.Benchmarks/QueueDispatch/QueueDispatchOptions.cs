namespace FunctionsJobs.Benchmarks.QueueDispatch;

/// <param name="Messages">Messages per timed phase.</param>
/// <param name="Rounds">Baseline/runtime pairs; more rounds steady the medians on a busy machine.</param>
/// <param name="Warmup">Messages of one untimed pair first, so JIT and connection set-up are not measured.</param>
/// <param name="InMemory">Azurite with --inMemoryPersistence instead of a temporary folder (see QueueDispatchCommand).</param>
/// <param name="Telemetry">Each round also runs the Host with OpenTelemetry on (<see cref="BenchTelemetry"/>), to compare with it off.</param>
internal sealed record QueueDispatchOptions(int Messages = 2000, int Rounds = 5, int Warmup = 300, bool InMemory = false, bool Telemetry = false)
{
    public static bool TryParse(string[] args, out QueueDispatchOptions options, out string? error)
    {
        options = new QueueDispatchOptions();
        var inMemory = args.Contains("--in-memory");
        var telemetry = args.Contains("--telemetry");
        string[] numbers = [.. args.Where(a => a is not ("--in-memory" or "--telemetry"))];
        if (!BenchArgs.TryParse(numbers, new Dictionary<string, int> { ["--messages"] = 1, ["--rounds"] = 1, ["--warmup"] = 0 }, out var values, out error))
        {
            return false;
        }

        options = new QueueDispatchOptions(
            values.GetValueOrDefault("--messages", options.Messages), values.GetValueOrDefault("--rounds", options.Rounds), values.GetValueOrDefault("--warmup", options.Warmup), inMemory, telemetry);
        return true;
    }
}
