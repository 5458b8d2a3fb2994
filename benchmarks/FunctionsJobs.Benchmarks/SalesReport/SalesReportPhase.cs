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
/// <item>report: the job as both runtimes run it, through <see cref="JobRunner.ExecuteAsync"/> (progress
/// written to the run history every <c>JobProgressInterval</c>, checkpoints, blocks, commit, summary,
/// the run's end); the run's start record is written before the clock starts.</item>
/// </list>
/// Prints one line: <c>RESULT {phase} {orders} {milliseconds} {VmHWM MiB} {peak GC heap MiB}</c>.
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

        // The managed heap after each collection, sampled: what the process keeps alive, apart from
        // how much garbage the GC lets pile up between collections (which VmHWM includes).
        long peakHeap = 0;
        using var sampler = new Timer(_ => InterlockedMax(ref peakHeap, GC.GetGCMemoryInfo(GCKind.Any).HeapSizeBytes), null, TimeSpan.Zero, TimeSpan.FromMilliseconds(20));
        var runner = provider.GetRequiredService<JobRunner>();
        var job = provider.GetRequiredService<NightlySalesReportJob>();
        JobRun? run = null;
        if (phase == "report")
        {
            // The run record is written before the job starts (the timer runtime does it, not the
            // job); on-disk Azurite answers that write by saving its table database within 5 s,
            // which is not the job's time either.
            run = await runner.StartAsync(job, new JobRunRequest(JobTrigger.Manual, Input: dayText), CancellationToken.None);
            await Task.Delay(TimeSpan.FromSeconds(7));
        }

        var clock = Stopwatch.StartNew();
        long count;
        if (run is null)
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
            var result = await runner.ExecuteAsync(job, run, dayText, CancellationToken.None);
            result.Failure?.Throw();
            count = result.Run.ItemsProcessed;
        }

        var elapsed = clock.Elapsed;
        InterlockedMax(ref peakHeap, GC.GetGCMemoryInfo(GCKind.Any).HeapSizeBytes);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"RESULT {phase} {count} {elapsed.TotalMilliseconds:F0} {ProcStatus.Mib("self", "VmHWM"):F1} {Volatile.Read(ref peakHeap) / 1048576.0:F1}"));
        return 0;
    }

    private static void InterlockedMax(ref long target, long value)
    {
        long current;
        while (value > (current = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
