using System.Globalization;
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
/// only done once storage has forgotten it. The messages were sent hidden until
/// <see cref="HostSettle"/> after the fill began, and the Host starts right after the fill: the
/// Host's own start (its other jobs' listeners, timers reading their schedule monitors, the
/// inventory seed) is over before the first message shows, so it is not counted per message.
/// </summary>
internal static class HostThroughput
{
    /// <summary>From the start of the fill until the messages show: the fill and the Host's start fit in it.</summary>
    public static readonly TimeSpan HostSettle = TimeSpan.FromSeconds(15);

    public static async Task<PhaseResult> RunAsync(
        string connectionString, StorageAccount account, StorageRequestCounter counter, string queueName, int messages, int batchSize, int newBatchThreshold, bool telemetry = false)
    {
        var traffic = counter.Watch(queueName, expectedDeletes: messages);
        var probe = new FirstHandled(traffic);
        var settings = new Dictionary<string, string>
        {
            [BenchStorage.BatchSize] = batchSize.ToString(CultureInfo.InvariantCulture),
            [BenchStorage.NewBatchThreshold] = newBatchThreshold.ToString(CultureInfo.InvariantCulture),

            // host.json's, not the tests' 500 ms: the Host's other listeners (orders, thumbnail
            // events) poll their empty queues as often as a deployed Host's do.
            [BenchStorage.MaxPollingInterval] = BenchStorage.HostJsonMaxPollingInterval.ToString("c", CultureInfo.InvariantCulture),
        };

        // The queue is already full: the Host starts after the fill so that sending is not timed.
        await using var host = await TestHost.StartAsync(connectionString, settings, builder =>
        {
            BenchStorage.Configure(builder, account);
            if (telemetry)
            {
                BenchTelemetry.Configure(builder);
            }

            builder.Services.AddSingleton(probe);
            builder.Services.AddQueueFunction<NoOpHandler, string>(builder.Configuration, "BenchNoOp", "BenchNoOpQueueName", queueName);
        });

        Mark lastDeleted;
        try
        {
            lastDeleted = await traffic.AllDeleted.WaitAsync(QueueDispatchCommand.PhaseTimeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"runtime: after {QueueDispatchCommand.PhaseTimeout}, {probe.Handled} of {messages} messages handled and {traffic.Deletes} deleted ({traffic.Requests} requests)");
        }

        await host.StopAsync();
        return PhaseResult.Between(probe.First, lastDeleted, messages, traffic.RequestsAtAllDeleted - probe.RequestsAtFirst);
    }

    /// <summary>When the first handler ran, and how many ran: one interlocked increment per message, nothing more.</summary>
    internal sealed class FirstHandled(QueueTraffic traffic)
    {
        private long _handled;

        public Mark First { get; private set; }

        /// <summary>The requests to the queue before the clock started (the polls while the messages were hidden, the first receive).</summary>
        public long RequestsAtFirst { get; private set; }

        public long Handled => Interlocked.Read(ref _handled);

        public void Count()
        {
            if (Interlocked.Increment(ref _handled) == 1)
            {
                RequestsAtFirst = traffic.Requests;
                First = Mark.Now();
            }
        }
    }

    internal sealed class NoOpHandler(FirstHandled probe) : IQueueHandler<string>
    {
        public Task HandleAsync(string message, QueueMessageContext context, CancellationToken cancellationToken)
        {
            probe.Count();
            return Task.CompletedTask;
        }
    }
}
