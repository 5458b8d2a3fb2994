using FunctionsJobs.Core.Callbacks;
using FunctionsJobs.Core.Orders;
using FunctionsJobs.Http.Orders;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace FunctionsJobs.Functions.Orders;

/// <summary><c>GET /api/orders/{id}</c>: status and history, long-polled with <c>Prefer: wait=N</c> (<see cref="OrderHttp"/>).</summary>
public sealed class GetOrder(OrderStore orders, StatusWatch<Order> watch)
{
    [Function(OrderHttp.GetFunction)]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = OrderHttp.GetRoute)] HttpRequest request, string id, CancellationToken cancellationToken) =>
        OrderHttp.GetAsync(request, id, orders, watch, cancellationToken);
}
