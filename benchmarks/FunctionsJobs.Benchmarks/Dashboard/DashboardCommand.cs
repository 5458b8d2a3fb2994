using System.Diagnostics;
using Azure.Data.Tables;
using FunctionsJobs.Benchmarks.QueueDispatch;
using FunctionsJobs.Core.Orders;
using FunctionsJobs.Core.Thumbnails;
using FunctionsJobs.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace FunctionsJobs.Benchmarks.Dashboard;

/// <summary>
/// dashboard: the latency of the dashboard's data routes, as the page polls them, with many orders
/// and images stored. The records are written through the stores the app writes them with (so the
/// recent-items index is written as in production), then each route is asked one request at a time.
/// The baseline is what the index spares: finding the latest orders by reading the whole table.
/// </summary>
internal static class DashboardCommand
{
    public static readonly TimeSpan Target = TimeSpan.FromMilliseconds(100);
    private const int Warmup = 10;
    private const int BaselineRuns = 3;

    /// <summary>What the page asks for every few seconds (dashboard.js).</summary>
    private static readonly string[] Routes =
        ["data/queues", "data/jobs", "data/orders?max=50", "data/images?max=24", "data/throughput"];

    public static async Task<int> RunAsync(DashboardBenchOptions options)
    {
        // On disk, as the other benchmarks run Azurite (QueueDispatchCommand says why).
        var location = Directory.CreateTempSubdirectory("fjbench-azurite-").FullName;
        try
        {
            await using var azurite = await AzuriteServer.StartAsync(location);
            await MeasureAsync(options, azurite);
            return 0;
        }
        finally
        {
            Directory.Delete(location, recursive: true);
        }
    }

    private static async Task MeasureAsync(DashboardBenchOptions options, AzuriteServer azurite)
    {
        var settings = new Dictionary<string, string>
        {
            // The timers would read the seeded tables in the middle of the timing: not what is measured.
            ["OrderSupervisorSchedule"] = "0 0 0 1 1 *",
            ["ThumbnailReconciliationSchedule"] = "0 0 0 1 1 *",
        };
        await using var host = await TestHost.StartAsync(azurite.ConnectionString, settings, builder => builder.Logging.AddFilter<ConsoleLoggerProvider>(null, LogLevel.Warning));
        Print($"dashboard: {Environment.ProcessorCount} cores, .NET {Environment.Version}, Azurite on disk; {options.Orders} orders, {options.Images} images, {options.Requests} requests per route; load average {QueueDispatchCommand.LoadAverage()}");

        var seeding = Stopwatch.StartNew();
        await SeedOrdersAsync(host, options.Orders);
        await SeedImagesAsync(host, options.Images);
        Print($"seeded in {seeding.Elapsed.TotalSeconds:F0} s (each record and its index row, 32 at a time)");

        var results = new List<(string Route, double P50, double P95)>();
        foreach (var route in Routes)
        {
            var (p50, p95) = await TimeAsync(host, route, options.Requests);
            results.Add((route, p50, p95));
            Print($"{route}: p50 {p50:F2} ms, p95 {p95:F2} ms");
        }

        var scan = await TimeOrdersScanAsync(host);
        var orders = results.Single(r => r.Route.StartsWith("data/orders", StringComparison.Ordinal));
        Print($"baseline: the latest 50 orders by reading all {options.Orders} rows of the table: median {scan:F0} ms");

        Print("summary:");
        foreach (var (route, p50, p95) in results)
        {
            Print($"dashboard: {route} p50 {p50:F2} ms (target < {Target.TotalMilliseconds:F0}){(p50 < Target.TotalMilliseconds ? string.Empty : "  MISSED")}, p95 {p95:F1} ms");
        }

        Print($"dashboard: latest orders from the index {orders.P50:F1} ms vs a table scan {scan:F0} ms: {scan / orders.P50:F0}x; load average now {QueueDispatchCommand.LoadAverage()}");
    }

    private static async Task SeedOrdersAsync(TestHost host, int count)
    {
        var store = host.Services.GetRequiredService<OrderStore>();
        var now = DateTimeOffset.UtcNow;
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, ct) =>
        {
            // Spread over the last two days, as a day's traffic would be.
            var at = now - TimeSpan.FromSeconds(i * 17 % 172_800);
            var order = new Order
            {
                Id = OrderId.New(at),
                CustomerEmail = $"customer{i}@example.com",
                PaymentToken = SandboxPaymentGateway.Visa,
                Lines = [new OrderLine("COFFEE-1KG", 2, 2490), new OrderLine("ESPRESSO-CUP", 4, 650)],
                Status = OrderStatus.Completed,
                CreatedAt = at,
                UpdatedAt = at,
            };
            foreach (var step in new[] { OrderSteps.Accept, OrderSteps.ReserveStock, OrderSteps.Charge, OrderSteps.SendConfirmation, OrderSteps.Complete })
            {
                order.Record(new OrderStep(step, at, 1, OrderSteps.Succeeded));
            }

            await store.CreateAsync(order, ct);
        });
    }

    private static async Task SeedImagesAsync(TestHost host, int count)
    {
        var store = host.Services.GetRequiredService<ThumbnailStatusStore>();
        var now = DateTimeOffset.UtcNow;
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, ct) =>
        {
            var at = now - TimeSpan.FromSeconds(i * 13 % 172_800);
            var id = Guid.CreateVersion7(at).ToString("N");
            await store.TryWriteAsync(
                new ImageRecord
                {
                    Id = id,
                    Status = ImageStatus.Done,
                    SourceBlob = $"{id}.jpg",
                    SourceETag = "0x8DD0000000000000",
                    SourceBytes = 250_000,
                    Version = "v1",
                    Thumbnails = [new ThumbnailInfo(128, 128, 96, 4000), new ThumbnailInfo(256, 256, 192, 12000), new ThumbnailInfo(512, 512, 384, 40000)],
                    UpdatedAt = at,
                },
                ct);
        });
    }

    private static async Task<(double P50, double P95)> TimeAsync(TestHost host, string route, int requests)
    {
        var times = new List<double>(requests);
        for (var i = 0; i < Warmup + requests; i++)
        {
            using var request = host.Request(HttpMethod.Get, $"/dashboard/{route}", TestHost.MasterKey);
            var started = Stopwatch.GetTimestamp();
            using var response = await host.Http.SendAsync(request);
            await response.Content.LoadIntoBufferAsync();
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            response.EnsureSuccessStatusCode();
            if (i >= Warmup)
            {
                times.Add(elapsed);
            }
        }

        times.Sort();
        return (times[times.Count / 2], times[(int)Math.Min(times.Count - 1, Math.Ceiling(times.Count * 0.95) - 1)]);
    }

    /// <summary>The latest 50 orders without the index: every row's keys and creation time, then a sort.</summary>
    private static async Task<double> TimeOrdersScanAsync(TestHost host)
    {
        var table = host.Services.GetRequiredService<OrdersStorage>().Orders;
        var times = new List<double>();
        for (var run = 0; run < BaselineRuns; run++)
        {
            var started = Stopwatch.GetTimestamp();
            var rows = new List<(DateTimeOffset, string)>();
            await foreach (var row in table.QueryAsync<TableEntity>(select: ["RowKey", "CreatedAt"]))
            {
                rows.Add((row.GetDateTimeOffset("CreatedAt") ?? default, row.RowKey));
            }

            _ = rows.OrderByDescending(r => r.Item1).Take(50).ToList();
            times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        times.Sort();
        return times[times.Count / 2];
    }

    private static void Print(string line) => Console.WriteLine(line);
}
