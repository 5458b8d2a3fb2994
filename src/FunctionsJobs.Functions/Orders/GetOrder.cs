using FunctionsJobs.Core.Orders;
using FunctionsJobs.Orders.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace FunctionsJobs.Functions.Orders;

/// <summary><c>GET /api/orders/{id}</c>: status and history, the twin of the Host's GetOrder route.</summary>
public sealed class GetOrder(OrderStore orders)
{
    [Function(nameof(GetOrder))]
    public async Task<IActionResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = OrderHttp.Route + "/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        new HttpResultAction(await OrderHttp.GetAsync(request, id, orders, cancellationToken).ConfigureAwait(false));
}
