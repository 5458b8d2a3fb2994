namespace FunctionsJobs.Core.Orders;

/// <summary>What <c>GET /api/orders/{id}</c> shows: everything but the payment token.</summary>
public sealed record OrderView(
    string Id,
    OrderStatus Status,
    string? Reason,
    string CustomerEmail,
    IReadOnlyList<OrderLine> Items,
    long TotalCents,
    string Currency,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    IReadOnlyList<OrderStep> History)
{
    public static OrderView Of(Order order)
    {
        ArgumentNullException.ThrowIfNull(order);
        return new(order.Id, order.Status, order.Reason, order.CustomerEmail, order.Lines, order.TotalCents, order.Currency, order.CreatedAt, order.UpdatedAt, order.History);
    }
}
