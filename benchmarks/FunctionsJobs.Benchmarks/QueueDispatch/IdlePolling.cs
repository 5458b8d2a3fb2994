using System.Diagnostics;
using FunctionsJobs.Core.Queues;
using FunctionsJobs.Core.Storage;
using FunctionsJobs.Host.Queues;
using FunctionsJobs.Testing;

namespace FunctionsJobs.Benchmarks.QueueDispatch;

/// <summary>
/// What an idle listener costs: storage requests per second to an empty queue once the backoff
/// has reached maxPollingInterval (1 s here). On a metered account every poll is billed, and
/// with many queues per Host this is the floor of the bill.
/// </summary>
internal static class IdlePolling
{
    public static readonly TimeSpan MaxPollingInterval = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan Settle = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    public static async Task<(long Requests, TimeSpan Elapsed)> RunAsync(string connectionString, StorageAccount account, StorageRequestCounter counter, string queueName)
    {
        var traffic = counter.Watch(queueName);
        var settings = new Dictionary<string, string> { [BenchStorage.MaxPollingInterval] = MaxPollingInterval.ToString("c") };
        await using var host = await TestHost.StartAsync(connectionString, settings, builder =>
        {
            BenchStorage.Configure(builder, account);
            builder.Services.AddQueueFunction<NeverCalled, string>(builder.Configuration, "BenchIdle", "BenchIdleQueueName", queueName);
        });

        // Backoff goes 0.1, 0.2, 0.4, 0.8, 1 s: well settled after 10 s.
        await Task.Delay(Settle);
        var before = traffic.Requests;
        var started = Stopwatch.StartNew();

        // A timer may fire a millisecond early; 10 polls in 9.999 s would read as 1.0001 req/s.
        while (started.Elapsed < Window)
        {
            await Task.Delay(Window - started.Elapsed + TimeSpan.FromMilliseconds(1));
        }

        var requests = traffic.Requests - before;
        var elapsed = started.Elapsed;
        await host.StopAsync();
        return (requests, elapsed);
    }

    internal sealed class NeverCalled : IQueueHandler<string>
    {
        public Task HandleAsync(string message, QueueMessageContext context, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("the idle queue received a message");
    }
}
