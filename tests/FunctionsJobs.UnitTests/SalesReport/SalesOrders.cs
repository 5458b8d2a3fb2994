using FunctionsJobs.Core.Orders;

namespace FunctionsJobs.UnitTests.SalesReport;

/// <summary>Orders as the report reads them, for the pure tests.</summary>
internal static class SalesOrders
{
    public static Order Of(string id, OrderStatus status, params OrderLine[] lines) => new()
    {
        Id = id,
        Status = status,
        CustomerEmail = "a@example.com",
        PaymentToken = "tok_ok",
        Lines = lines,
        CreatedAt = new DateTimeOffset(2026, 11, 22, 23, 59, 58, 123, TimeSpan.Zero).AddTicks(4567),
    };
}
