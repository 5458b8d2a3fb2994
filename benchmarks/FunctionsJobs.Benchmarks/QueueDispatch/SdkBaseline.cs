using System.Diagnostics;
using Azure.Storage.Queues.Models;
using FunctionsJobs.Core.Storage;

namespace FunctionsJobs.Benchmarks.QueueDispatch;

/// <summary>
/// What storage allows on this machine: the Azure SDK alone, receiving 32 and deleting each, with
/// the listener's concurrency (one receive at a time, issued while no more than newBatchThreshold
/// deletes are running, so up to batchSize + newBatchThreshold in flight) and nothing else: no
/// decoding, no scope, no handler, no lease renewal. The runtime is judged against this figure.
/// </summary>
internal static class SdkBaseline
{
    public static async Task<PhaseResult> RunAsync(StorageAccount account, QueueTraffic traffic, string queueName, int messages, int batchSize, int newBatchThreshold)
    {
        // The raw (no encoding) client, as the listener uses.
        var queue = account.RawQueues.GetQueueClient(queueName);
        var inFlight = 0;
        using var completed = new SemaphoreSlim(0);
        var deletes = new List<Task>(messages);
        var received = 0;
        Mark? first = null;
        long requestsAtFirst = 0;
        var deadline = Stopwatch.StartNew();

        while (received < messages)
        {
            while (Volatile.Read(ref inFlight) > newBatchThreshold)
            {
                await completed.WaitAsync();
            }

            var batch = (await queue.ReceiveMessagesAsync(batchSize, BenchStorage.MessageLease)).Value;
            if (batch.Length == 0)
            {
                // A pre-filled queue should not look empty; if Azurite says so, ask again shortly.
                if (deadline.Elapsed > QueueDispatchCommand.PhaseTimeout)
                {
                    throw new TimeoutException($"baseline: only {received} of {messages} messages received in {QueueDispatchCommand.PhaseTimeout}");
                }

                await Task.Delay(10);
                continue;
            }

            // Timed from the first message in hand, as the runtime is timed from its first handler call.
            if (first is null)
            {
                requestsAtFirst = traffic.Requests;
                first = Mark.Now();
            }

            received += batch.Length;
            foreach (var message in batch)
            {
                Interlocked.Increment(ref inFlight);
                deletes.Add(DeleteAsync(message));
            }
        }

        await Task.WhenAll(deletes);
        return PhaseResult.Between(first!.Value, Mark.Now(), messages, traffic.Requests - requestsAtFirst);

        async Task DeleteAsync(QueueMessage message)
        {
            try
            {
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
            }
            finally
            {
                Interlocked.Decrement(ref inFlight);
                completed.Release();
            }
        }
    }
}
