using System.Buffers;
using Azure;
using FunctionsJobs.Core.Callbacks;
using Microsoft.Extensions.Logging;

namespace FunctionsJobs.Core.Orders;

/// <summary>
/// The front door of <c>POST /api/orders</c>: checks the request, stores the order and its message,
/// and only then answers. Costs two storage calls (order insert, queue message), three with an
/// <c>Idempotency-Key</c>; SKU prices come from <see cref="SkuCatalog"/>'s short-lived cache.
/// </summary>
public sealed partial class OrderIntake(
    OrdersOptions options, IOrderDispatcher dispatcher, OrderStore orders, SkuCatalog catalog, IdempotencyStore idempotency, TimeProvider time, ILogger<OrderIntake> logger)
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    /// <param name="callback">Where to send the terminal state, already checked (<see cref="CallbackRequests"/>); kept with the order.</param>
    public async Task<PlaceOrderResult> PlaceAsync(
        string? contentType, long? contentLength, Stream body, string? idempotencyKey, CallbackTarget? callback, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (!IsJson(contentType))
        {
            return new PlaceOrderResult.UnsupportedMediaType(contentType);
        }

        if (contentLength > options.MaxBodyBytes)
        {
            return new PlaceOrderResult.TooLarge(options.MaxBodyBytes);
        }

        var bytes = await ReadAtMostAsync(body, options.MaxBodyBytes, cancellationToken).ConfigureAwait(false);
        if (bytes is null)
        {
            return new PlaceOrderResult.TooLarge(options.MaxBodyBytes);
        }

        var request = OrderRequestParser.Parse(bytes.Value, options, out var errors);
        if (idempotencyKey is not null && !IdempotencyStore.IsValidKey(idempotencyKey))
        {
            errors[IdempotencyKeyHeader] = [$"must be 1 to {IdempotencyStore.MaxKeyLength} printable ASCII characters"];
        }

        if (request is null || errors.Count > 0)
        {
            return new PlaceOrderResult.Invalid(errors);
        }

        var items = await catalog.FindAsync(request.Items.Select(i => i.Sku), cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < request.Items.Count; i++)
        {
            if (!items.ContainsKey(request.Items[i].Sku))
            {
                errors[$"items[{i}].sku"] = [$"'{request.Items[i].Sku}' is not a SKU we sell"];
            }
        }

        if (errors.Count > 0)
        {
            return new PlaceOrderResult.Invalid(errors);
        }

        var now = time.GetUtcNow();
        var order = new Order
        {
            Id = OrderId.New(now),
            CustomerEmail = request.CustomerEmail,
            PaymentToken = request.PaymentToken,
            Lines = [.. request.Items.Select(i => new OrderLine(i.Sku, i.Quantity, items[i.Sku].UnitPriceCents))],
            CreatedAt = now,
            UpdatedAt = now,
            Callback = callback,
        };

        var replayed = false;
        if (idempotencyKey is not null)
        {
            var fingerprint = request.Fingerprint();
            var owner = await idempotency.ClaimAsync(idempotencyKey, new IdempotencyRecord(order.Id, fingerprint), cancellationToken).ConfigureAwait(false);
            if (owner.Fingerprint != fingerprint)
            {
                return new PlaceOrderResult.KeyReused(owner.OrderId);
            }

            if (owner.OrderId != order.Id)
            {
                replayed = true;
                order = Rebased(order, owner.OrderId);
            }
        }

        order.Record(new OrderStep(OrderSteps.Accept, now, 0, OrderSteps.Succeeded, $"{order.Lines.Count} lines, {order.TotalCents} cents {order.Currency}"));
        while (!await TryCreateAsync(order, cancellationToken).ConfigureAwait(false))
        {
            // The key's first request stored this order: send its message again only while nothing
            // has happened to it yet, in case that request died before it sent the message. A
            // duplicate message is harmless; a lost one would strand the order.
            var stored = await orders.GetAsync(order.Id, cancellationToken).ConfigureAwait(false);
            if (stored is null)
            {
                // That request failed to send its message and removed the order a moment ago.
                continue;
            }

            var untouched = stored is { Status: OrderStatus.Accepted, History.Count: <= 1 };
            LogReplayed(order.Id, stored.Status.ToString());
            if (untouched)
            {
                await DispatchAsync(order, deleteOnFailure: false, cancellationToken).ConfigureAwait(false);
            }

            return new PlaceOrderResult.Accepted(order.Id, replayed);
        }

        await DispatchAsync(order, deleteOnFailure: true, cancellationToken).ConfigureAwait(false);
        LogAccepted(order.Id, order.Lines.Count, order.TotalCents, replayed);
        return new PlaceOrderResult.Accepted(order.Id, replayed);
    }

    /// <summary>application/json or any application/*+json, with or without parameters (charset).</summary>
    public static bool IsJson(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType))
        {
            return false;
        }

        var mediaType = contentType.Split(';', 2)[0].Trim();
        return mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || (mediaType.StartsWith("application/", StringComparison.OrdinalIgnoreCase) && mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase));
    }

    private static Order Rebased(Order order, string id) => new()
    {
        Id = id,
        CustomerEmail = order.CustomerEmail,
        PaymentToken = order.PaymentToken,
        Lines = order.Lines,
        CreatedAt = order.CreatedAt,
        UpdatedAt = order.UpdatedAt,
        Callback = order.Callback,
    };

    private async Task<bool> TryCreateAsync(Order order, CancellationToken cancellationToken)
    {
        try
        {
            await orders.CreateAsync(order, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return false;
        }
    }

    /// <remarks>
    /// The message id is the order id: where the transport deduplicates (Service Bus), the re-send of
    /// a replayed request is dropped if the first send got through.
    /// </remarks>
    private async Task DispatchAsync(Order order, bool deleteOnFailure, CancellationToken cancellationToken)
    {
        try
        {
            await dispatcher.SendAsync(new OrderMessage(order.Id), order.Id, cancellationToken).ConfigureAwait(false);
        }
        catch when (deleteOnFailure)
        {
            // The client gets an error and will place the order again (with its Idempotency-Key, the
            // same order): an order left behind without a message must not be processed later.
            await orders.DeleteAsync(order, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The body, or null if it is longer than <paramref name="limit"/> (whatever Content-Length claimed).</summary>
    private static async Task<ReadOnlyMemory<byte>?> ReadAtMostAsync(Stream body, int limit, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(Math.Min(limit + 1, 16 * 1024));
        while (true)
        {
            var memory = buffer.GetMemory(8192);
            var read = await body.ReadAsync(memory, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return buffer.WrittenMemory;
            }

            buffer.Advance(read);
            if (buffer.WrittenCount > limit)
            {
                return null;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId} accepted: {LineCount} lines, {TotalCents} cents (idempotent replay: {Replayed})")]
    private partial void LogAccepted(string orderId, int lineCount, long totalCents, bool replayed);

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId} requested again with its Idempotency-Key; it is {Status}")]
    private partial void LogReplayed(string orderId, string status);
}
