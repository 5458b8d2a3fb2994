using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using FunctionsJobs.Core.Queues;
using FunctionsJobs.Core.Storage;
using FunctionsJobs.Host.Queues;
using FunctionsJobs.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace FunctionsJobs.Benchmarks.QueueDispatch;

/// <summary>
/// "Nothing accepted is lost" under a shutdown that cannot wait: 100 slow handlers running, a 1 s
/// drain, then the host stops. Every message must be either completed by its handler or back in
/// the queue for the next instance: completed + returned = 100, no message in both, none in neither.
/// A message in neither is still hidden by its 10-minute lease: lost for that long.
/// </summary>
internal static class ShutdownDrain
{
    public const int Messages = 100;
    public static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(1);

    public static async Task<ShutdownResult> RunAsync(string connectionString, StorageAccount account, string queueName)
    {
        var ids = Enumerable.Range(0, Messages).Select(i => $"shutdown-{i:D3}").ToArray();
        await BenchStorage.FillAsync(account, queueName, ids);

        var tracker = new HandlerTracker();
        var settings = new Dictionary<string, string>
        {
            [BenchStorage.BatchSize] = "32",
            // Above 100, so the listener takes all 100 messages at once.
            [BenchStorage.NewBatchThreshold] = "100",
            [BenchStorage.DrainTimeout] = DrainTimeout.ToString("c", CultureInfo.InvariantCulture),
        };
        var host = await TestHost.StartAsync(connectionString, settings, builder =>
        {
            BenchStorage.Configure(builder, account);
            builder.Services.AddSingleton(tracker);
            builder.Services.AddQueueFunction<SlowHandler, string>(builder.Configuration, "BenchSlow", "BenchSlowQueueName", queueName);
        });

        TimeSpan stopping;
        await using (host)
        {
            await tracker.AllStarted.WaitAsync(QueueDispatchCommand.PhaseTimeout);
            var stop = Stopwatch.StartNew();
            await host.StopAsync();
            stopping = stop.Elapsed;
        }

        var returned = await ReceiveAllAsync(account, queueName);
        var completed = tracker.Completed.ToList();
        var accounted = completed.Concat(returned).ToHashSet(StringComparer.Ordinal);
        return new ShutdownResult(
            Completed: completed.Count,
            Returned: returned.Count,
            Lost: ids.Count(id => !accounted.Contains(id)),
            Duplicated: completed.Count + returned.Count - accounted.Count,
            PeakRunning: tracker.PeakRunning,
            Stopping: stopping);
    }

    /// <summary>Everything visible in the queue: received (not peeked, which stops at 32), bodies decoded.</summary>
    private static async Task<List<string>> ReceiveAllAsync(StorageAccount account, string queueName)
    {
        var queue = account.Queues.GetQueueClient(queueName);
        var bodies = new List<string>();
        while (true)
        {
            var batch = (await queue.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(5))).Value;
            if (batch.Length == 0)
            {
                return bodies;
            }

            bodies.AddRange(batch.Select(m => m.Body.ToString()));
        }
    }

    internal sealed class HandlerTracker
    {
        private readonly TaskCompletionSource _allStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _started;
        private int _running;
        private int _peak;

        public ConcurrentQueue<string> Completed { get; } = new();

        public Task AllStarted => _allStarted.Task;

        public int PeakRunning => Volatile.Read(ref _peak);

        public void Started()
        {
            var running = Interlocked.Increment(ref _running);
            for (var peak = _peak; running > peak && Interlocked.CompareExchange(ref _peak, running, peak) != peak; peak = _peak)
            {
            }

            if (Interlocked.Increment(ref _started) == Messages)
            {
                _allStarted.TrySetResult();
            }
        }

        public void Ended() => Interlocked.Decrement(ref _running);
    }

    /// <summary>Work of 0.2-3 s that stops when asked to: the drain timeout decides which finish.</summary>
    internal sealed class SlowHandler(HandlerTracker tracker) : IQueueHandler<string>
    {
        public async Task HandleAsync(string message, QueueMessageContext context, CancellationToken cancellationToken)
        {
            tracker.Started();
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(200, 3000)), cancellationToken);
                tracker.Completed.Enqueue(message);
            }
            finally
            {
                tracker.Ended();
            }
        }
    }
}

internal sealed record ShutdownResult(int Completed, int Returned, int Lost, int Duplicated, int PeakRunning, TimeSpan Stopping);
