namespace FunctionsJobs.Core.Orders;

/// <summary>What became of a <c>POST /api/orders</c>; each runtime maps it to an HTTP answer.</summary>
public abstract record PlaceOrderResult
{
    private PlaceOrderResult()
    {
    }

    /// <param name="OrderId">The order, new or (for a repeated <c>Idempotency-Key</c>) the earlier one.</param>
    /// <param name="Replayed">True when the key had been used before with the same request.</param>
    public sealed record Accepted(string OrderId, bool Replayed) : PlaceOrderResult;

    public sealed record Invalid(IDictionary<string, string[]> Errors) : PlaceOrderResult;

    public sealed record UnsupportedMediaType(string? ContentType) : PlaceOrderResult;

    public sealed record TooLarge(int MaxBytes) : PlaceOrderResult;

    /// <summary>The <c>Idempotency-Key</c> was used before for another request.</summary>
    public sealed record KeyReused(string OrderId) : PlaceOrderResult;
}
