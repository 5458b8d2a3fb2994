using System.Globalization;
using FunctionsJobs.Core.Callbacks;
using FunctionsJobs.Core.Orders;
using FunctionsJobs.Core.Queues;
using FunctionsJobs.Http.Callbacks;
using Microsoft.AspNetCore.Http;

namespace FunctionsJobs.Http.Orders;

/// <summary>
/// The HTTP face of Orders for both runtimes: request in, Core call, RFC 9457 problem or result out.
/// The Host's routes and the Functions app's <c>[HttpTrigger]</c> methods are one-line calls of these.
/// </summary>
public static class OrderHttp
{
    public const string PlaceFunction = "PlaceOrder";
    public const string GetFunction = "GetOrder";

    /// <summary><c>POST</c>: place an order.</summary>
    public const string PlaceRoute = "orders";

    /// <summary><c>GET</c>: an order's status and history.</summary>
    public const string GetRoute = "orders/{id}";

    /// <summary>Seconds a client should wait before it first asks for the status.</summary>
    public const int RetryAfterSeconds = 1;

    /// <summary><c>POST</c>: the order in the body; <c>Callback-Url</c> or <c>Reply-To</c> (<see cref="CallbackHeaders"/>) to be told of its end.</summary>
    public static async Task<IResult> PlaceAsync(HttpRequest request, OrderIntake intake, CallbackRequests callbacks, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(intake);
        var (callback, callbackProblem) = await CallbackHeaders.ReadAsync(request, callbacks, cancellationToken).ConfigureAwait(false);
        if (callbackProblem is not null)
        {
            return callbackProblem;
        }

        var key = request.Headers.TryGetValue(OrderIntake.IdempotencyKeyHeader, out var header) ? header.ToString() : null;
        var outcome = await intake.PlaceAsync(request.ContentType, request.ContentLength, request.Body, key, callback, cancellationToken).ConfigureAwait(false);
        switch (outcome)
        {
            case PlaceOrderResult.Accepted accepted:
                var location = $"{request.PathBase}{ApiRoutes.OnHost(PlaceRoute)}/{accepted.OrderId}";
                request.HttpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
                request.HttpContext.Response.Headers.Location = location;
                var body = new { id = accepted.OrderId, status = OrderStatus.Accepted.ToString(), statusUrl = location, replayed = accepted.Replayed };
                return Results.Json(body, JobJson.Options, statusCode: StatusCodes.Status202Accepted);
            case PlaceOrderResult.Invalid invalid:
                return Results.ValidationProblem(invalid.Errors, title: "The order is not valid", detail: "Each field named below needs fixing.");
            case PlaceOrderResult.UnsupportedMediaType unsupported:
                return Problems.Of(
                    StatusCodes.Status415UnsupportedMediaType,
                    "Unsupported media type",
                    $"Send the order as application/json, not '{Problems.Printable(unsupported.ContentType ?? "(no content type)")}'.");
            case PlaceOrderResult.TooLarge tooLarge:
                return Problems.Of(StatusCodes.Status413PayloadTooLarge, "Order too large", $"An order body may have at most {tooLarge.MaxBytes} bytes.");
            case PlaceOrderResult.KeyReused reused:
                return Problems.Of(
                    StatusCodes.Status422UnprocessableEntity,
                    "Idempotency-Key already used",
                    $"This {OrderIntake.IdempotencyKeyHeader} placed order {reused.OrderId} with a different request; use a new key for a new order.",
                    new Dictionary<string, object?> { ["orderId"] = reused.OrderId });
            default:
                throw new InvalidOperationException($"unexpected outcome {outcome.GetType().Name}");
        }
    }

    /// <summary><c>GET</c>: the order; with <c>Prefer: wait=N</c> (<see cref="LongPoll"/>) once its status changes, or after N seconds.</summary>
    public static async Task<IResult> GetAsync(HttpRequest request, string id, OrderStore orders, StatusWatch<Order> watch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(orders);
        ArgumentNullException.ThrowIfNull(watch);
        if (!OrderId.IsValid(id))
        {
            return Problems.Of(StatusCodes.Status400BadRequest, "Invalid order id", $"An order id looks like 20260101-0123456789abcdef0123, not '{Problems.Printable(id)}'.");
        }

        if (LongPoll.Read(request, out var wait) is { } preferProblem)
        {
            return preferProblem;
        }

        var order = await LongPoll.ReadAsync(request, id, wait, watch, ct => orders.GetAsync(id, ct), cancellationToken).ConfigureAwait(false);
        if (order is null)
        {
            return Problems.Of(StatusCodes.Status404NotFound, "Order not found", $"There is no order {id}.");
        }

        if (!order.IsTerminal)
        {
            request.HttpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        }

        return Results.Json(OrderView.Of(order), JobJson.Options);
    }
}
