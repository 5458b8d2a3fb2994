using System.Diagnostics;
using System.Globalization;
using Azure.Data.Tables;
using FunctionsJobs.Core.Orders;
using FunctionsJobs.Core.SalesReport;
using FunctionsJobs.Testing;

namespace FunctionsJobs.Benchmarks.SalesReport;

/// <summary>
/// sales-report: the nightly report over a day of <c>--orders</c> orders in an on-disk Azurite,
/// against a raw query of the same partitions in the same run (time, target 1.3x), and its peak
/// memory against a day of <c>--small</c> orders (target 1.2x). Every phase runs in a child process
/// of its own (<see cref="SalesReportPhase"/>) and reports its kernel high-water mark of RSS.
/// </summary>
internal static class SalesReportCommand
{
    public const double TimeTarget = 1.3;
    public const double MemoryTarget = 1.2;
    private static readonly DateOnly LargeDay = new(2026, 11, 22);
    private static readonly DateOnly SmallDay = new(2026, 11, 21);
    private static readonly TimeSpan QuietPeriod = TimeSpan.FromSeconds(7);

    public static async Task<int> RunAsync(SalesReportBenchOptions options)
    {
        var location = Directory.CreateTempSubdirectory("functionsjobs-bench-sales-").FullName;
        try
        {
            await using var azurite = await AzuriteServer.StartAsync(location);
            var table = $"BenchOrders{Guid.NewGuid():N}"[..20];
            Print($"sales-report: Azurite (on disk, loopback), {Environment.ProcessorCount} cores, .NET {Environment.Version}, {options.Orders} and {options.Small} orders, {options.Rounds} rounds, {SalesReportSettings.DefaultBlockBytes / 1024} KiB blocks");

            var seeding = Stopwatch.StartNew();
            var orders = new TableClient(azurite.ConnectionString, table);
            await OrderSeeder.SeedAsync(orders, OrderSeeder.Generate(LargeDay, options.Orders, 1).Concat(OrderSeeder.Generate(SmallDay, options.Small, 2)));
            Print($"seeded {options.Orders + options.Small} orders in {seeding.Elapsed.TotalSeconds:F1} s (entity-group transactions of 100 per partition, 8 at a time)");

            var environment = new Dictionary<string, string>
            {
                ["AzureWebJobsStorage"] = azurite.ConnectionString,
                [OrdersSettings.OrdersTable] = table,
                [SalesReportSettings.ContainerSetting] = "bench-reports",
            };

            var raw = new List<Phase>();
            var large = new List<Phase>();
            var small = new List<Phase>();
            for (var round = 1; round <= options.Rounds; round++)
            {
                // Turn about, so neither side always finds Azurite's caches warmed by the other.
                if (round % 2 == 1)
                {
                    raw.Add(await RunPhaseAsync("raw", LargeDay, options.Orders, environment));
                    large.Add(await RunPhaseAsync("report", LargeDay, options.Orders, environment));
                }
                else
                {
                    large.Add(await RunPhaseAsync("report", LargeDay, options.Orders, environment));
                    raw.Add(await RunPhaseAsync("raw", LargeDay, options.Orders, environment));
                }

                small.Add(await RunPhaseAsync("report", SmallDay, options.Small, environment));
                Print($"round {round}/{options.Rounds}: raw query {raw[^1].Milliseconds / 1000:F1} s ({raw[^1].PeakMb:F0} MiB), report {large[^1].Milliseconds / 1000:F1} s ({large[^1].Milliseconds / raw[^1].Milliseconds:F2}x, {large[^1].PeakMb:F0} MiB, heap {large[^1].HeapMb:F0} MiB); " +
                      $"report of {options.Small}: {small[^1].Milliseconds / 1000:F1} s, {small[^1].PeakMb:F0} MiB, heap {small[^1].HeapMb:F0} MiB");
            }

            var timeRatio = Median(raw.Zip(large, (r, l) => l.Milliseconds / r.Milliseconds));
            var memoryRatio = Median(large.Select(l => l.PeakMb)) / Median(small.Select(s => s.PeakMb));
            Print("summary:");
            Print($"sales-report: report of {options.Orders} orders {Median(large.Select(l => l.Milliseconds)) / 1000:F1} s vs raw query of the same partitions {Median(raw.Select(r => r.Milliseconds)) / 1000:F1} s, ratio {timeRatio:F2} " +
                  $"(target <= {TimeTarget:F1}; rounds {string.Join(" ", raw.Zip(large, (r, l) => (l.Milliseconds / r.Milliseconds).ToString("F2", CultureInfo.InvariantCulture)))}){(timeRatio <= TimeTarget ? string.Empty : "  MISSED")}");
            Print($"sales-report: peak RSS (VmHWM) of the report {Median(large.Select(l => l.PeakMb)):F1} MiB at {options.Orders} orders vs {Median(small.Select(s => s.PeakMb)):F1} MiB at {options.Small}, ratio {memoryRatio:F2} " +
                  $"(target <= {MemoryTarget:F1}){(memoryRatio <= MemoryTarget ? string.Empty : "  MISSED")}; raw query {Median(raw.Select(r => r.PeakMb)):F1} MiB");
            Print($"sales-report: peak managed heap after a collection {Median(large.Select(l => l.HeapMb)):F1} MiB at {options.Orders} orders vs {Median(small.Select(s => s.HeapMb)):F1} MiB at {options.Small}, ratio {Median(large.Select(l => l.HeapMb)) / Median(small.Select(s => s.HeapMb)):F2} (reported); raw query {Median(raw.Select(r => r.HeapMb)):F1} MiB");
            return 0;
        }
        finally
        {
            Directory.Delete(location, recursive: true);
        }
    }

    private static async Task<Phase> RunPhaseAsync(string phase, DateOnly day, int expected, Dictionary<string, string> environment)
    {
        // Azurite writes its whole table database to disk within 5 s of any table write (LokiJS
        // autosave), blocking its one thread meanwhile: a phase that wrote (the run history) must not
        // hand that pause to the next phase's clock.
        await Task.Delay(QuietPeriod);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "FunctionsJobs.Benchmarks.dll"), SalesReportPhase.Command, phase, SalesReportDay.Name(day) })
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var result = (await stdout).Split('\n').FirstOrDefault(l => l.StartsWith("RESULT ", StringComparison.Ordinal))?.Split(' ');
        if (process.ExitCode != 0 || result is not [_, _, var count, var ms, var peak, var heap] || long.Parse(count, CultureInfo.InvariantCulture) != expected)
        {
            throw new InvalidOperationException($"phase {phase} {day} failed (exit {process.ExitCode}): {await stdout}{await stderr}");
        }

        return new Phase(double.Parse(ms, CultureInfo.InvariantCulture), double.Parse(peak, CultureInfo.InvariantCulture), double.Parse(heap, CultureInfo.InvariantCulture));
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static void Print(string line) => Console.WriteLine(line);

    private sealed record Phase(double Milliseconds, double PeakMb, double HeapMb);
}
