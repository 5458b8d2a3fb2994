namespace FunctionsJobs.Benchmarks.Dashboard;

/// <param name="Orders">Orders stored before the timing (through OrderStore, which also indexes them).</param>
/// <param name="Images">Image records stored before the timing (through ThumbnailStatusStore).</param>
/// <param name="Requests">Timed requests per data route, one at a time, after 10 untimed ones.</param>
internal sealed record DashboardBenchOptions(int Orders = 10_000, int Images = 10_000, int Requests = 100)
{
    public static bool TryParse(string[] args, out DashboardBenchOptions options, out string? error)
    {
        options = new DashboardBenchOptions();
        if (!BenchArgs.TryParse(args, new Dictionary<string, int> { ["--orders"] = 0, ["--images"] = 0, ["--requests"] = 1 }, out var values, out error))
        {
            return false;
        }

        options = new DashboardBenchOptions(
            values.GetValueOrDefault("--orders", options.Orders), values.GetValueOrDefault("--images", options.Images), values.GetValueOrDefault("--requests", options.Requests));
        return true;
    }
}
