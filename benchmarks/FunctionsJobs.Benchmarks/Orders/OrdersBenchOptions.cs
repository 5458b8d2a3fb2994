using System.Globalization;

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
        error = null;
        for (var i = 0; i < args.Length; i++)
        {
            var (name, value) = args[i].Split('=', 2) is [var n, var v] ? (n, v) : (args[i], i + 1 < args.Length ? args[++i] : null);
            if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                error = $"{name} needs a whole number, not '{value}'";
                return false;
            }

            switch (name)
            {
                case "--orders" when number > 0:
                    options = options with { Orders = number };
                    break;
                case "--rounds" when number > 0:
                    options = options with { Rounds = number };
                    break;
                case "--warmup":
                    options = options with { Warmup = number };
                    break;
                case "--clients" when number > 0:
                    options = options with { Clients = number };
                    break;
                default:
                    error = $"unknown option or value out of range: {args[i]}";
                    return false;
            }
        }

        return true;
    }
}
