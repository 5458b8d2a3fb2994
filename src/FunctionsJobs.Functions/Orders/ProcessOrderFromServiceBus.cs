using System.Text.Json;
using Azure.Messaging.ServiceBus;
using FunctionsJobs.Core.Orders;
using FunctionsJobs.Core.Queues;
using Microsoft.Azure.Functions.Worker;

namespace FunctionsJobs.Functions.Orders;

/// <summary>
/// The workflow on the Service Bus queue named by <c>%OrdersQueueName%</c>. Its last delivery
/// (<see cref="ServiceBusReceivedMessage.DeliveryCount"/> = <c>OrdersServiceBusMaxDeliveryCount</c>,
/// which must equal the queue's MaxDeliveryCount) compensates instead of failing, so the broker
/// dead-letters only what could not even be compensated. A message that names no order is
/// dead-lettered at once with its reason. Disable it with
/// <c>AzureWebJobs.ProcessOrderFromServiceBus.Disabled</c> = true when <c>OrdersTransport</c> is StorageQueue.
/// </summary>
public sealed class ProcessOrderFromServiceBus(OrderWorkflow workflow, OrdersOptions options)
{
    [Function(nameof(ProcessOrderFromServiceBus))]
    public async Task RunAsync(
        [ServiceBusTrigger("%" + OrdersSettings.QueueName + "%", Connection = "ServiceBusConnection")] ServiceBusReceivedMessage message,
        ServiceBusMessageActions actions,
        CancellationToken cancellationToken)
    {
        try
        {
            var order = message.Body.ToObjectFromJson<OrderMessage>(JobJson.Options)
                ?? throw new InvalidOrderMessageException("the message is JSON null");
            await workflow.ProcessAsync(order.OrderId, message.DeliveryCount, options.ServiceBusMaxDeliveryCount, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOrderMessageException)
        {
            await actions.DeadLetterMessageAsync(message, deadLetterReason: "InvalidOrderMessage", deadLetterErrorDescription: ex.Message, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }
}
