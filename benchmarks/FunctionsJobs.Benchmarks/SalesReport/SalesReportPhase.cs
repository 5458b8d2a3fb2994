using System.Diagnostics;
using System.Globalization;
using Azure.Data.Tables;
using FunctionsJobs.Core;
using FunctionsJobs.Core.Orders;
using FunctionsJobs.Core.SalesReport;
using FunctionsJobs.Core.Scheduling;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FunctionsJobs.Benchmarks.SalesReport;

/// <summary>
/// One measured phase in a process of its own (<c>sales-report-phase raw|report yyyy-MM-dd</c>,
/// settings from the environment), so its peak RSS (the kernel's VmHWM) is its own:
/// <list type="bullet">
/// <item>raw: the queries the report issues (the day's partitions one after the other, the same
/// columns and page size), enumerating the entities and nothing else;</item>
/// <item>report: the job as both runtimes run it, through <see cref="JobRunner"/> (run history,
/// progress, checkpoints, blocks, commit, summary).</item>
/// </list>
/// Prints one line: <c>RESULT {phase} {orders} {milliseconds} {VmHWM MiB}</c>.
/// </summary>
internal static class SalesReportPhase
{
    public const string Command = "sales-report-phase";

    public static async Task<int> RunAsync(string[] args)
    {
        if (args is not [var phase and ("raw" or "report"), var dayText] || !DateOnly.TryParseExact(dayText, SalesReportDay.Format, CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            await Console.Error.WriteLineAsync($"usage: {Command} raw|report yyyy-MM-dd");
            return 2;
        }

        var configuration = new ConfigurationBuilder().AddEnvironmentVariables().Build();
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddLogging(b => b.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning))
            .AddFunctionsJobsCore(configuration);
        await using var provider = services.BuildServiceProvider();
        var orders = provider.GetRequiredService<OrdersStorage>();
        await orders.EnsureCreatedAsync(CancellationToken.None);

        var clock = Stopwatch.StartNew();
        long count;
        if (phase == "raw")
        {
            count = 0;
            foreach (var partition in OrderPartitions.ForDay(day))
            {
                await foreach (var entity in orders.Orders.QueryAsync<TableEntity>(NightlySalesReportJob.PartitionFilter(partition, null), 1000, NightlySalesReportJob.Columns))
                {
                    count++;
                }
            }
        }
        else
        {
            var run = await provider.GetRequiredService<JobRunner>().RunAsync(
                provider.GetRequiredService<NightlySalesReportJob>(), new JobRunRequest(JobTrigger.Manual, Input: dayText), CancellationToken.None);
            count = run.ItemsProcessed;
        }

        var elapsed = clock.Elapsed;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"RESULT {phase} {count} {elapsed.TotalMilliseconds:F0} {PeakRssMb():F1}"));
        return 0;
    }

    private static double PeakRssMb() => File.ReadLines("/proc/self/status")
        .Where(l => l.StartsWith("VmHWM:", StringComparison.Ordinal))
        .Select(l => double.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024)
        .Single();
}
