using System.Text.Json;
using FunctionsJobs.Core.Orders;
using FunctionsJobs.Core.Queues;
using FunctionsJobs.Orders.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace FunctionsJobs.Functions.Orders;

/// <summary>
/// <c>POST /api/orders</c>, the twin of the Host's PlaceOrder route. With <c>OrdersTransport</c> =
/// ServiceBus the order's message leaves through the <c>ServiceBusOutput</c> binding together with
/// the 202; with StorageQueue the intake has written it to the storage queue before answering and
/// the output stays empty.
/// </summary>
public sealed class PlaceOrder(OrderIntake intake, OrdersOptions options)
{
    [Function(nameof(PlaceOrder))]
    public async Task<PlaceOrderOutput> RunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = OrderHttp.Route)] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var dispatch = options.Transport == OrdersTransport.ServiceBus ? OrderDispatch.ByCaller : OrderDispatch.StorageQueue;
        var (result, message) = await OrderHttp.PlaceAsync(request, intake, dispatch, cancellationToken).ConfigureAwait(false);
        return new PlaceOrderOutput
        {
            Result = new HttpResultAction(result),
            Message = message is null ? null : JsonSerializer.Serialize(message, JobJson.Options),
        };
    }
}

public sealed class PlaceOrderOutput
{
    [HttpResult]
    public required IActionResult Result { get; init; }

    /// <summary>
    /// The isolated worker's output binding sends only a body: it cannot set MessageId (see
    /// docs/orders.md), so Service Bus duplicate detection does not apply and the workflow's own
    /// idempotency makes a duplicate harmless, as on storage queues.
    /// </summary>
    [ServiceBusOutput("%" + OrdersSettings.QueueName + "%", Connection = "ServiceBusConnection")]
    public string? Message { get; init; }
}
