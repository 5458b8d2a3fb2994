using System.Diagnostics;
using System.Globalization;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using FunctionsJobs.Core.Scheduling;
using FunctionsJobs.Core.Storage;
using FunctionsJobs.Host.Scheduling;
using FunctionsJobs.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace FunctionsJobs.Benchmarks.Scheduling;

/// <summary>
/// timer-lock: what the singleton lock costs a scheduled run, against a raw blob-lease loop
/// (acquire + release on one blob) measured in the same process against the same Azurite.
/// <list type="bullet">
/// <item>lock: the Host's <see cref="JobLocks"/> acquire, renewal loop set up and torn down, release;</item>
/// <item>run: everything a scheduled run does besides the job itself: lock, schedule monitor read,
/// run history start and end, monitor write, release (a no-op job).</item>
/// </list>
/// </summary>
internal static class TimerLockCommand
{
    public const double LockTarget = 1.1;

    public static async Task<int> RunAsync(TimerLockOptions options)
    {
        await using var azurite = await DiskAzurite.StartAsync();
        return await RunAsync(options, azurite.Server);
    }

    private static async Task<int> RunAsync(TimerLockOptions options, AzuriteServer azurite)
    {
        var id = Guid.NewGuid().ToString("N")[..8];
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["AzureFunctionsWebHost:hostid"] = $"bench-{id}",
            ["JobRunsTableName"] = $"BenchRuns{id}",
        }).Build();
        var storage = StorageAccount.FromConfiguration(configuration);
        var timerOptions = TimerOptions.FromConfiguration(configuration);
        var locks = new JobLocks(storage, timerOptions, TimeProvider.System, NullLogger<JobLocks>.Instance);
        var monitor = new TimerStatusStore(storage, timerOptions, NullLogger<TimerStatusStore>.Instance);
        var history = new JobRunHistory(storage, configuration, TimeProvider.System);
        var runner = new JobRunner(history, new JobCheckpointStore(storage, configuration, NullLogger<JobCheckpoints>.Instance), TimeProvider.System, NullLogger<JobRunner>.Instance);
        var job = new NoOpJob();
        JobSchedule.TryParse(job.DefaultSchedule, TimeZoneInfo.Utc, out var schedule);

        var container = storage.Blobs.GetBlobContainerClient(TimerOptions.HostsContainer);
        await container.CreateIfNotExistsAsync();
        var rawBlob = container.GetBlobClient($"locks/bench-{id}/raw");
        await rawBlob.UploadAsync(BinaryData.Empty, overwrite: true);

        Print($"timer-lock: Azurite (on disk, loopback), {Environment.ProcessorCount} cores, .NET {Environment.Version}, {options.Iterations} runs x {options.Rounds} rounds, lease {timerOptions.LockPeriod.TotalSeconds:F0} s");

        Task Raw() => RawLeaseAsync(rawBlob, timerOptions.LockPeriod);
        async Task Lock()
        {
            var held = await locks.TryAcquireAsync(job.Name, CancellationToken.None) ?? throw new InvalidOperationException("lock held");
            await held.DisposeAsync();
        }

        async Task Run()
        {
            var held = await locks.TryAcquireAsync(job.Name, CancellationToken.None) ?? throw new InvalidOperationException("lock held");
            await using (held)
            {
                var status = await monitor.ReadAsync(job.Name, CancellationToken.None);
                var now = DateTimeOffset.UtcNow;
                var run = await runner.StartAsync(job, new JobRunRequest(JobTrigger.Schedule, false, status?.Next ?? now), CancellationToken.None);
                await runner.ExecuteAsync(job, run, null, held.Lost);
                await monitor.WriteAsync(job.Name, new TimerStatus(now, schedule!.GetNextOccurrence(now), DateTimeOffset.UtcNow), CancellationToken.None);
            }
        }

        if (options.Warmup > 0)
        {
            await MeasureAsync([Raw, Lock, Run], options.Warmup);
        }

        var ratios = new List<(double Lock, double Run)>();
        var medians = new List<double[]>();
        for (var round = 1; round <= options.Rounds; round++)
        {
            var result = await MeasureAsync([Raw, Lock, Run], options.Iterations);
            medians.Add(result);
            ratios.Add((result[1] / result[0], result[2] / result[0]));
            Print($"round {round}/{options.Rounds}: median raw lease {result[0]:F2} ms, lock {result[1]:F2} ms ({result[1] / result[0]:F2}x), scheduled-run overhead {result[2]:F2} ms ({result[2] / result[0]:F2}x)");
        }

        var lockRatio = Median([.. ratios.Select(r => r.Lock)]);
        var runRatio = Median([.. ratios.Select(r => r.Run)]);
        Print("summary:");
        Print($"timer-lock: lock {Median([.. medians.Select(m => m[1])]):F2} ms per run vs raw blob lease {Median([.. medians.Select(m => m[0])]):F2} ms, ratio {lockRatio:F2} " +
              $"(target <= {LockTarget:F1}; rounds {string.Join(" ", ratios.Select(r => r.Lock.ToString("F2", CultureInfo.InvariantCulture)))}){(lockRatio <= LockTarget ? string.Empty : "  MISSED")}");
        Print($"timer-lock: whole scheduled-run overhead (lock, monitor, run history) {Median([.. medians.Select(m => m[2])]):F2} ms, {runRatio:F2}x a raw lease (reported, no target)");
        return 0;
    }

    private static async Task RawLeaseAsync(BlobClient blob, TimeSpan period)
    {
        var lease = blob.GetBlobLeaseClient(Guid.NewGuid().ToString());
        await lease.AcquireAsync(period);
        await lease.ReleaseAsync();
    }

    /// <summary>
    /// Median milliseconds per call of each operation. The operations take turns call by call, so a
    /// change in machine load (other builds on a shared machine) falls on all of them alike.
    /// </summary>
    private static async Task<double[]> MeasureAsync(Func<Task>[] operations, int iterations)
    {
        var samples = operations.Select(_ => new List<double>(iterations)).ToArray();
        for (var i = 0; i < iterations; i++)
        {
            for (var which = 0; which < operations.Length; which++)
            {
                var started = Stopwatch.GetTimestamp();
                await operations[which]();
                samples[which].Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }

        return [.. samples.Select(Median)];
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        var middle = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    private static void Print(string line) => Console.WriteLine(line.ToString(CultureInfo.InvariantCulture));

    private sealed class NoOpJob : IScheduledJob
    {
        public string Name => "BenchNoOp";

        public string ScheduleSetting => "BenchNoOpSchedule";

        public string DefaultSchedule => "*/1 * * * * *";

        public Task RunAsync(JobRunContext context, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

/// <param name="Iterations">Runs per timed phase.</param>
/// <param name="Rounds">Raw/lock/run triples; more rounds steady the medians on a busy machine.</param>
/// <param name="Warmup">Untimed runs of each phase first.</param>
internal sealed record TimerLockOptions(int Iterations = 200, int Rounds = 3, int Warmup = 20)
{
    public static bool TryParse(string[] args, out TimerLockOptions options, out string? error)
    {
        options = new TimerLockOptions();
        if (!BenchArgs.TryParse(args, new Dictionary<string, int> { ["--iterations"] = 1, ["--rounds"] = 1, ["--warmup"] = 0 }, out var values, out error))
        {
            return false;
        }

        options = new TimerLockOptions(values.GetValueOrDefault("--iterations", options.Iterations), values.GetValueOrDefault("--rounds", options.Rounds), values.GetValueOrDefault("--warmup", options.Warmup));
        return true;
    }
}
