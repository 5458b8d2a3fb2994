using Azure.Storage.Queues.Models;
using FunctionsJobs.Core.Orders;
using FunctionsJobs.Core.Queues;
using FunctionsJobs.Core.Telemetry;
using Microsoft.Azure.Functions.Worker;

namespace FunctionsJobs.Functions.Orders;

/// <summary>
/// The workflow on the orders storage queue, the twin of the Host's ProcessOrder function and what
/// <c>func start</c> runs against Azurite alone. Disable it with
/// <c>AzureWebJobs.ProcessOrder.Disabled</c> = true when <c>OrdersTransport</c> is ServiceBus.
/// </summary>
public sealed class ProcessOrder(OrderWorkflow workflow, OrdersOptions options, QueueFunctionMetrics metrics)
{
    [Function(nameof(ProcessOrder))]
    public Task RunAsync(
        [QueueTrigger("%" + OrdersSettings.QueueName + "%", Connection = "AzureWebJobsStorage")] QueueMessage message,
        CancellationToken cancellationToken)
    {
        var order = message.Body.ToObjectFromJson<OrderMessage>(JobJson.Options)
            ?? throw new InvalidOrderMessageException("the message is JSON null");
        return metrics.HandleAsync(nameof(ProcessOrder), workflow, order, new QueueMessageContext(options.QueueName, message.MessageId, message.DequeueCount, message.InsertedOn), cancellationToken);
    }
}
