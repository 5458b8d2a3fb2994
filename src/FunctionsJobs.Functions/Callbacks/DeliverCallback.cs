using System.Text.Json;
using FunctionsJobs.Core.Callbacks;
using FunctionsJobs.Core.Queues;
using Microsoft.Azure.Functions.Worker;

namespace FunctionsJobs.Functions.Callbacks;

/// <summary>
/// One try of one callback event from the callbacks queue (<see cref="CallbackDelivery"/>), the twin
/// of the Host's queue function of the same name. A failed try queues the next one itself, so the
/// queue trigger's own retries only cover a failure of storage.
/// </summary>
public sealed class DeliverCallback(CallbackSettings settings, CallbackDelivery delivery)
{
    [Function(CallbackDelivery.FunctionName)]
    public Task RunAsync(
        [QueueTrigger("%" + CallbackSettings.QueueNameSetting + "%", Connection = "AzureWebJobsStorage")] string message,
        string id,
        long dequeueCount,
        DateTimeOffset insertionTime,
        CancellationToken cancellationToken)
    {
        var callback = JsonSerializer.Deserialize<CallbackMessage>(message, JobJson.Options)
            ?? throw new JsonException("the message is JSON null, not a CallbackMessage");
        return delivery.HandleAsync(callback, new QueueMessageContext(settings.QueueName, id, dequeueCount, insertionTime), cancellationToken);
    }
}
