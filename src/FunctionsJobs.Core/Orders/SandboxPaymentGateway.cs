using Azure;
using Azure.Data.Tables;

namespace FunctionsJobs.Core.Orders;

/// <summary>
/// A local stand-in for a payment provider that keeps its charges in the Payments table
/// (PartitionKey = idempotency key, RowKey <c>charge</c>). Test tokens:
/// <list type="bullet">
/// <item><c>tok_visa</c>, <c>tok_mastercard</c>: the charge succeeds.</item>
/// <item><c>tok_decline</c>: declined ("card declined").</item>
/// <item><c>tok_transient</c>: fails transiently <c>PaymentSandboxTransientFailures</c> times per key (2 by default), then succeeds.</item>
/// <item><c>tok_transient_always</c>: always fails transiently, to see an order given up after its last attempt.</item>
/// <item>anything else: declined ("unknown test token").</item>
/// </list>
/// The first charge row written for a key decides for good; a refund turns it into Refunded, or
/// writes a Voided row when nothing was charged, which later charges of the key are refused by.
/// </summary>
public sealed class SandboxPaymentGateway(OrdersStorage storage, OrdersOptions options, TimeProvider time) : IPaymentGateway
{
    public const string Visa = "tok_visa";
    public const string Mastercard = "tok_mastercard";
    public const string Decline = "tok_decline";
    public const string Transient = "tok_transient";
    public const string TransientAlways = "tok_transient_always";

    private const string ChargeRowKey = "charge";
    private const string AttemptsRowKey = "attempts";

    public async Task<PaymentResult> ChargeAsync(PaymentRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Token == TransientAlways)
        {
            throw new PaymentTransientException("sandbox: gateway unavailable (tok_transient_always)");
        }

        if (request.Token == Transient && await ReadAsync(request.IdempotencyKey, ChargeRowKey, cancellationToken).ConfigureAwait(false) is null)
        {
            await FailTransientlyAsync(request.IdempotencyKey, cancellationToken).ConfigureAwait(false);
        }

        var (state, reason) = request.Token switch
        {
            Visa or Mastercard or Transient => ("Succeeded", null),
            Decline => ("Declined", "card declined"),
            _ => ("Declined", $"unknown test token '{request.Token}'"),
        };
        var charge = new TableEntity(request.IdempotencyKey, ChargeRowKey)
        {
            ["State"] = state,
            ["ChargeId"] = state == "Succeeded" ? $"ch_{request.IdempotencyKey}" : null,
            ["DeclineReason"] = reason,
            ["AmountCents"] = request.AmountCents,
            ["Currency"] = request.Currency,
            ["Description"] = request.Description,
            ["ChargedAt"] = time.GetUtcNow(),
        };
        try
        {
            await storage.RunAsync(() => storage.Payments.AddEntityAsync(charge, cancellationToken), cancellationToken).ConfigureAwait(false);
            return ToResult(charge);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // Charged (or voided) before under this key: the first decision stands.
            var existing = await ReadAsync(request.IdempotencyKey, ChargeRowKey, cancellationToken).ConfigureAwait(false)
                ?? throw new PaymentTransientException("sandbox: charge row vanished");
            return ToResult(existing);
        }
    }

    public async Task<RefundResult> RefundAsync(string idempotencyKey, string reason, CancellationToken cancellationToken)
    {
        while (true)
        {
            var charge = await ReadAsync(idempotencyKey, ChargeRowKey, cancellationToken).ConfigureAwait(false);
            try
            {
                switch (charge?.GetString("State"))
                {
                    case null:
                        var voided = new TableEntity(idempotencyKey, ChargeRowKey) { ["State"] = "Voided", ["DeclineReason"] = reason, ["ChargedAt"] = time.GetUtcNow() };
                        await storage.RunAsync(() => storage.Payments.AddEntityAsync(voided, cancellationToken), cancellationToken).ConfigureAwait(false);
                        return new RefundResult(RefundOutcome.NothingCharged, null);
                    case "Succeeded":
                        charge["State"] = "Refunded";
                        charge["RefundReason"] = reason;
                        charge["RefundedAt"] = time.GetUtcNow();
                        await storage.RunAsync(() => storage.Payments.UpdateEntityAsync(charge, charge.ETag, TableUpdateMode.Replace, cancellationToken), cancellationToken).ConfigureAwait(false);
                        return new RefundResult(RefundOutcome.Refunded, charge.GetString("ChargeId"));
                    case "Refunded":
                        return new RefundResult(RefundOutcome.Refunded, charge.GetString("ChargeId"));
                    default:
                        return new RefundResult(RefundOutcome.NothingCharged, null);
                }
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412)
            {
                // A charge or another refund got there first: look again.
            }
        }
    }

    private async Task FailTransientlyAsync(string key, CancellationToken cancellationToken)
    {
        while (true)
        {
            var attempts = await ReadAsync(key, AttemptsRowKey, cancellationToken).ConfigureAwait(false);
            var count = attempts?.GetInt32("Count") ?? 0;
            if (count >= options.SandboxTransientFailures)
            {
                return;
            }

            var next = new TableEntity(key, AttemptsRowKey) { ["Count"] = count + 1 };
            try
            {
                await storage.RunAsync(
                    () => attempts is null
                        ? storage.Payments.AddEntityAsync(next, cancellationToken)
                        : storage.Payments.UpdateEntityAsync(next, attempts.ETag, TableUpdateMode.Replace, cancellationToken),
                    cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412)
            {
                continue;
            }

            throw new PaymentTransientException($"sandbox: gateway timeout {count + 1} of {options.SandboxTransientFailures} (tok_transient)");
        }
    }

    private static PaymentResult ToResult(TableEntity charge) => charge.GetString("State") switch
    {
        "Succeeded" or "Refunded" => new PaymentResult(PaymentOutcome.Succeeded, charge.GetString("ChargeId")),
        "Voided" => new PaymentResult(PaymentOutcome.Declined, null, "voided: the order was given up before this charge"),
        _ => new PaymentResult(PaymentOutcome.Declined, null, charge.GetString("DeclineReason")),
    };

    private Task<TableEntity?> ReadAsync(string key, string rowKey, CancellationToken cancellationToken) =>
        storage.RunAsync(
            async () =>
            {
                var response = await storage.Payments.GetEntityIfExistsAsync<TableEntity>(key, rowKey, cancellationToken: cancellationToken).ConfigureAwait(false);
                return response.HasValue ? response.Value : null;
            },
            cancellationToken);
}
