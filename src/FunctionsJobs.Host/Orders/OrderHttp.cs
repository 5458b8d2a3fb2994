using FunctionsJobs.Core.Orders;
using FunctionsJobs.Core.Queues;
using Microsoft.AspNetCore.Http;

namespace FunctionsJobs.Orders.Http;

/// <summary>
/// The HTTP face of Orders, shared word for word by the Host's routes and the Functions app's HTTP
/// triggers (the Functions project links this file): request in, Core call, RFC 9457 problem or result out.
/// </summary>
public static class OrderHttp
{
    /// <summary>The route below the <c>api</c> prefix, which Functions adds by itself (host.json routePrefix).</summary>
    public const string Route = "orders";

    public const string RoutePrefix = "api";

    /// <summary>Seconds a client should wait before it first asks for the status.</summary>
    public const int RetryAfterSeconds = 1;

    public static async Task<IResult> PlaceAsync(HttpRequest request, OrderIntake intake, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(intake);
        var key = request.Headers.TryGetValue(OrderIntake.IdempotencyKeyHeader, out var header) ? header.ToString() : null;
        var outcome = await intake.PlaceAsync(request.ContentType, request.ContentLength, request.Body, key, cancellationToken).ConfigureAwait(false);
        switch (outcome)
        {
            case PlaceOrderResult.Accepted accepted:
                var location = $"{request.PathBase}/{RoutePrefix}/{Route}/{accepted.OrderId}";
                request.HttpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                request.HttpContext.Response.Headers.Location = location;
                var body = new { id = accepted.OrderId, status = OrderStatus.Accepted.ToString(), statusUrl = location, replayed = accepted.Replayed };
                return Results.Json(body, JobJson.Options, statusCode: StatusCodes.Status202Accepted);
            case PlaceOrderResult.Invalid invalid:
                return Results.ValidationProblem(invalid.Errors, title: "The order is not valid", detail: "Each field named below needs fixing.");
            case PlaceOrderResult.UnsupportedMediaType unsupported:
                return Results.Problem(
                    statusCode: StatusCodes.Status415UnsupportedMediaType,
                    title: "Unsupported media type",
                    detail: $"Send the order as application/json, not '{unsupported.ContentType ?? "(no content type)"}'.");
            case PlaceOrderResult.TooLarge tooLarge:
                return Results.Problem(
                    statusCode: StatusCodes.Status413PayloadTooLarge,
                    title: "Order too large",
                    detail: $"An order body may have at most {tooLarge.MaxBytes} bytes.");
            case PlaceOrderResult.KeyReused reused:
                return Results.Problem(
                    statusCode: StatusCodes.Status422UnprocessableEntity,
                    title: "Idempotency-Key already used",
                    detail: $"This {OrderIntake.IdempotencyKeyHeader} placed order {reused.OrderId} with a different request; use a new key for a new order.",
                    extensions: new Dictionary<string, object?> { ["orderId"] = reused.OrderId });
            default:
                throw new InvalidOperationException($"unexpected outcome {outcome.GetType().Name}");
        }
    }

    public static async Task<IResult> GetAsync(HttpRequest request, string id, OrderStore orders, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(orders);
        if (!OrderId.IsValid(id))
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid order id", detail: $"An order id looks like 20260101-0123456789abcdef0123, not '{Shorten(id)}'.");
        }

        var order = await orders.GetAsync(id, cancellationToken).ConfigureAwait(false);
        if (order is null)
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Order not found", detail: $"There is no order {id}.");
        }

        if (!order.IsTerminal)
        {
            request.HttpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return Results.Json(OrderView.Of(order), JobJson.Options);
    }

    private static string Shorten(string text) => text.Length <= 64 ? text : text[..64] + "…";
}
