using FunctionsJobs.Core.Orders;
using FunctionsJobs.Orders.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace FunctionsJobs.Functions.Orders;

/// <summary>
/// <c>POST /api/orders</c>, the twin of the Host's PlaceOrder route. The intake stores the order and
/// sends its message through <see cref="IOrderDispatcher"/> before it answers 202: the storage queue,
/// or with <c>OrdersTransport</c> = ServiceBus a <see cref="ServiceBusOrderDispatcher"/> whose
/// MessageId is the order id, so the queue's duplicate detection drops a re-send. Not a
/// <c>ServiceBusOutput</c> binding: the isolated worker's binding sends a body only (no MessageId,
/// Azure/azure-functions-dotnet-worker#2360) and only after the function has returned.
/// </summary>
public sealed class PlaceOrder(OrderIntake intake)
{
    [Function(nameof(PlaceOrder))]
    public async Task<IActionResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = OrderHttp.Route)] HttpRequest request,
        CancellationToken cancellationToken) =>
        new HttpResultAction(await OrderHttp.PlaceAsync(request, intake, cancellationToken).ConfigureAwait(false));
}
