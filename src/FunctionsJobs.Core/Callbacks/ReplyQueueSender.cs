using System.Text.Json;
using Azure;
using FunctionsJobs.Core.Queues;
using FunctionsJobs.Core.Storage;

namespace FunctionsJobs.Core.Callbacks;

/// <summary>
/// Puts events on a caller's reply queue in this storage account, base64 JSON as the Functions
/// queue trigger reads it. The queue is the caller's to create: a missing one is a failed try,
/// retried like an unreachable URL, so callers cannot make this app create queues.
/// </summary>
public sealed class ReplyQueueSender(StorageAccount storage)
{
    public async Task<SendResult> SendAsync(string queueName, CallbackEvent callbackEvent, CancellationToken cancellationToken)
    {
        try
        {
            await storage.Queues.GetQueueClient(queueName).SendMessageAsync(JsonSerializer.Serialize(callbackEvent, JobJson.Options), cancellationToken).ConfigureAwait(false);
            return new SendResult(true, $"queued on {queueName}");
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return new SendResult(false, $"reply queue {queueName} does not exist");
        }
    }
}
