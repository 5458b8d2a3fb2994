using FunctionsJobs.Core.Callbacks;
using FunctionsJobs.Core.Orders;
using FunctionsJobs.Http.Orders;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace FunctionsJobs.Functions.Orders;

/// <summary>
/// <c>POST /api/orders</c> (<see cref="OrderHttp"/>). The intake stores the order and sends its
/// message through <see cref="IOrderDispatcher"/> before it answers 202: the storage queue, or with
/// <c>OrdersTransport</c> = ServiceBus a <see cref="ServiceBusOrderDispatcher"/> whose MessageId is
/// the order id, so the queue's duplicate detection drops a re-send. Not a <c>ServiceBusOutput</c>
/// binding: the isolated worker's binding sends a body only (no MessageId,
/// Azure/azure-functions-dotnet-worker#2360) and only after the function has returned.
/// </summary>
public sealed class PlaceOrder(OrderIntake intake, CallbackRequests callbacks)
{
    [Function(OrderHttp.PlaceFunction)]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = OrderHttp.PlaceRoute)] HttpRequest request, CancellationToken cancellationToken) =>
        OrderHttp.PlaceAsync(request, intake, callbacks, cancellationToken);
}
