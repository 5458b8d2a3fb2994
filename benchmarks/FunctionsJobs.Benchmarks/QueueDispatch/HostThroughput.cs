using System.Diagnostics;
using FunctionsJobs.Core.Queues;
using FunctionsJobs.Core.Storage;
using FunctionsJobs.Host.Queues;
using FunctionsJobs.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace FunctionsJobs.Benchmarks.QueueDispatch;

/// <summary>
/// The Host's queue trigger end to end (real listener, real Kestrel host) with a handler that does
/// nothing, so what is left is the runtime's own cost per message. Timed from the first handler
/// call until the last message is deleted (counted at the storage client), because a message is
/// only done once storage has forgotten it.
/// </summary>
internal static class HostThroughput
{
    public static async Task<double> RunAsync(
        string connectionString, StorageAccount account, StorageRequestCounter counter, string queueName, int messages, int batchSize, int newBatchThreshold)
    {
        var traffic = counter.Watch(queueName, expectedDeletes: messages);
        var probe = new FirstHandled();
        var settings = new Dictionary<string, string>
        {
            [BenchStorage.BatchSize] = batchSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [BenchStorage.NewBatchThreshold] = newBatchThreshold.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };

        // The queue is already full: the Host starts after the fill so that sending is not timed.
        await using var host = await TestHost.StartAsync(connectionString, settings, builder =>
        {
            BenchStorage.Configure(builder, account);
            builder.Services.AddSingleton(probe);
            builder.Services.AddQueueFunction<NoOpHandler, string>(builder.Configuration, "BenchNoOp", "BenchNoOpQueueName", queueName);
        });

        if (Environment.GetEnvironmentVariable("BENCH_TRACE") == "1")
        {
            _ = Task.Run(async () =>
            {
                while (!traffic.AllDeleted.IsCompleted)
                {
                    Console.WriteLine($"  t={DateTime.Now:HH:mm:ss.f} requests {traffic.Requests} deletes {traffic.Deletes}");
                    await Task.Delay(1000);
                }
            });
        }

        var lastDeleted = await traffic.AllDeleted.WaitAsync(QueueDispatchCommand.PhaseTimeout);
        await host.StopAsync();
        return messages / Stopwatch.GetElapsedTime(probe.Timestamp, lastDeleted).TotalSeconds;
    }

    /// <summary>When the first handler ran: one compare-exchange per message, nothing more.</summary>
    internal sealed class FirstHandled
    {
        private long _timestamp;

        public long Timestamp => Interlocked.Read(ref _timestamp);

        public void Mark() => Interlocked.CompareExchange(ref _timestamp, Stopwatch.GetTimestamp(), 0);
    }

    internal sealed class NoOpHandler(FirstHandled probe) : IQueueHandler<string>
    {
        public Task HandleAsync(string message, QueueMessageContext context, CancellationToken cancellationToken)
        {
            probe.Mark();
            return Task.CompletedTask;
        }
    }
}
