namespace FunctionsJobs.Core.Orders;

/// <summary>
/// The payment provider, as a port. Both calls are idempotent by <c>idempotencyKey</c> (the order
/// id): asking again returns what the first call decided, so a redelivered order is never charged
/// twice. A refund of a key that was never charged blocks the key, so a charge still on its way
/// (a timed-out call the provider did get) is refused when it lands.
/// </summary>
public interface IPaymentGateway
{
    /// <exception cref="PaymentTransientException">The provider could not decide now; try again later.</exception>
    Task<PaymentResult> ChargeAsync(PaymentRequest request, CancellationToken cancellationToken);

    /// <exception cref="PaymentTransientException">The provider could not decide now; try again later.</exception>
    Task<RefundResult> RefundAsync(string idempotencyKey, string reason, CancellationToken cancellationToken);
}

public sealed record PaymentRequest(string IdempotencyKey, string Token, long AmountCents, string Currency, string Description);

public enum PaymentOutcome
{
    Succeeded,
    Declined,
}

public sealed record PaymentResult(PaymentOutcome Outcome, string? ChargeId, string? DeclineReason = null);

public enum RefundOutcome
{
    /// <summary>A charge existed and is refunded (now or before).</summary>
    Refunded,

    /// <summary>Nothing was charged under the key, and nothing will be.</summary>
    NothingCharged,
}

public sealed record RefundResult(RefundOutcome Outcome, string? ChargeId);

/// <summary>The provider did not answer or answered "try later": retrying the same call is safe.</summary>
public sealed class PaymentTransientException(string message, Exception? inner = null) : Exception(message, inner);
