using System.Globalization;

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
        error = null;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--in-memory")
            {
                options = options with { InMemory = true };
                continue;
            }

            var (name, value) = args[i].Split('=', 2) is [var n, var v] ? (n, v) : (args[i], i + 1 < args.Length ? args[++i] : null);
            if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < 0)
            {
                error = $"{name} needs a whole number, not '{value}'";
                return false;
            }

            switch (name)
            {
                case "--messages" when number > 0:
                    options = options with { Messages = number };
                    break;
                case "--rounds" when number > 0:
                    options = options with { Rounds = number };
                    break;
                case "--warmup":
                    options = options with { Warmup = number };
                    break;
                default:
                    error = $"unknown option or value out of range: {args[i]}";
                    return false;
            }
        }

        return true;
    }
}
