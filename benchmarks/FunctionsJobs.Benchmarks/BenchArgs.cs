using System.Globalization;

namespace FunctionsJobs.Benchmarks;

/// <summary>The options every subcommand takes: whole numbers written <c>--name value</c> or <c>--name=value</c>.</summary>
internal static class BenchArgs
{
    /// <param name="minimums">Each option the subcommand knows, with the smallest value it allows.</param>
    /// <param name="values">The options given; absent ones keep the subcommand's defaults.</param>
    public static bool TryParse(string[] args, IReadOnlyDictionary<string, int> minimums, out Dictionary<string, int> values, out string? error)
    {
        values = [];
        error = null;
        for (var i = 0; i < args.Length; i++)
        {
            var (name, value) = args[i].Split('=', 2) is [var n, var v] ? (n, v) : (args[i], i + 1 < args.Length ? args[++i] : null);
            if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < 0)
            {
                error = $"{name} needs a whole number, not '{value}'";
                return false;
            }

            if (!minimums.TryGetValue(name, out var minimum) || number < minimum)
            {
                error = $"unknown option or value out of range: {name} {value}";
                return false;
            }

            values[name] = number;
        }

        return true;
    }
}
