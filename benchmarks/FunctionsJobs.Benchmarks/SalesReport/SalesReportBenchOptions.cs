namespace FunctionsJobs.Benchmarks.SalesReport;

/// <param name="Orders">Orders of the large day (the 100,000).</param>
/// <param name="Small">Orders of the small day, the memory baseline (10,000).</param>
/// <param name="Rounds">Raw-query/report pairs on the large day, and reports of the small day; medians are compared.</param>
internal sealed record SalesReportBenchOptions(int Orders = 100_000, int Small = 10_000, int Rounds = 3)
{
    public static bool TryParse(string[] args, out SalesReportBenchOptions options, out string? error)
    {
        options = new SalesReportBenchOptions();
        if (!BenchArgs.TryParse(args, new Dictionary<string, int> { ["--orders"] = 1, ["--small"] = 1, ["--rounds"] = 1 }, out var values, out error))
        {
            return false;
        }

        options = new SalesReportBenchOptions(values.GetValueOrDefault("--orders", options.Orders), values.GetValueOrDefault("--small", options.Small), values.GetValueOrDefault("--rounds", options.Rounds));
        return true;
    }
}
