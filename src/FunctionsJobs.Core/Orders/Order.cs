using Azure;
using FunctionsJobs.Core.Callbacks;

namespace FunctionsJobs.Core.Orders;

public enum OrderStatus
{
    /// <summary>Stored with its message; nothing reserved or charged yet.</summary>
    Accepted,

    /// <summary>Every line's stock is reserved.</summary>
    StockReserved,

    /// <summary>The payment is charged.</summary>
    Paid,

    /// <summary>Terminal: reserved, charged, confirmation e-mail sent.</summary>
    Completed,

    /// <summary>Terminal: not enough stock for a line; nothing stays reserved, nothing was charged.</summary>
    Rejected,

    /// <summary>Terminal: declined or given up after the last attempt; stock released, any charge refunded.</summary>
    Failed,

    /// <summary>Stock released and any charge refunded; the customer is told next, then the order is Rejected or Failed.</summary>
    Compensated,
}

public sealed record OrderLine(string Sku, int Quantity, long UnitPriceCents)
{
    public long TotalCents => Quantity * UnitPriceCents;
}

/// <summary>One entry of an order's history: which step, when, on which delivery, and how it went.</summary>
public sealed record OrderStep(string Step, DateTimeOffset At, long Attempt, string Outcome, string? Detail = null);

/// <summary>The steps and outcomes the history uses, so readers (the report, the supervisor, tests) can match on them.</summary>
public static class OrderSteps
{
    public const string Accept = "Accept";
    public const string ReserveStock = "ReserveStock";
    public const string Charge = "Charge";
    public const string SendConfirmation = "SendConfirmation";
    public const string Complete = "Complete";
    public const string Compensate = "Compensate";
    public const string ReleaseStock = "ReleaseStock";
    public const string Refund = "Refund";
    public const string NotifyCustomer = "NotifyCustomer";

    /// <summary>Written before a delivery that is the last one does anything, so a crash during it is seen as a used-up order.</summary>
    public const string LastDelivery = "LastDelivery";

    /// <summary>The order supervisor acted on a stuck order (attempt 0: not a delivery).</summary>
    public const string Supervise = "Supervise";

    public const string Succeeded = "Succeeded";
    public const string Skipped = "Skipped";
    public const string Declined = "Declined";
    public const string Retrying = "Retrying";
    public const string Failed = "Failed";
    public const string Started = "Started";
    public const string GaveUp = "GaveUp";
    public const string Redispatched = "Redispatched";
}

/// <summary>
/// The order record: what was ordered, where the workflow stands and how it got there. Changed only
/// by the workflow, one checkpoint at a time, each conditional on the <see cref="ETag"/> it read.
/// </summary>
public sealed class Order
{
    /// <summary>History entries kept; a delivery adds a handful, so this only trims a pathological loop.</summary>
    public const int MaxHistory = 100;

    public required string Id { get; init; }

    public required string CustomerEmail { get; init; }

    public required string PaymentToken { get; init; }

    public required IReadOnlyList<OrderLine> Lines { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public string Currency { get; init; } = OrderCatalog.Currency;

    public long TotalCents => Lines.Sum(l => l.TotalCents);

    public OrderStatus Status { get; set; } = OrderStatus.Accepted;

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>Why the order was rejected or failed; set when compensation starts.</summary>
    public string? Reason { get; set; }

    /// <summary>
    /// Set (to Rejected or Failed) by the checkpoint that starts compensation, before any effect is
    /// undone: from then on every delivery helps to compensate instead of moving forward.
    /// </summary>
    public OrderStatus? EndsAs { get; set; }

    public string? ChargeId { get; set; }

    /// <summary>Where the caller wants the terminal state sent (a callback URL or a reply queue), if anywhere.</summary>
    public CallbackTarget? Callback { get; init; }

    public List<OrderStep> History { get; init; } = [];

    public ETag ETag { get; set; }

    public bool IsTerminal => Status is OrderStatus.Completed or OrderStatus.Rejected or OrderStatus.Failed;

    public void Record(OrderStep step)
    {
        History.Add(step);
        if (History.Count > MaxHistory)
        {
            History.RemoveAt(1);
        }
    }
}
