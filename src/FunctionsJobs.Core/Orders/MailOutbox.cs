using Azure;
using Azure.Data.Tables;
using FunctionsJobs.Core.Telemetry;
using Microsoft.Extensions.Logging;
using MimeKit;

namespace FunctionsJobs.Core.Orders;

public enum MailOutcome
{
    /// <summary>This call sent it.</summary>
    Sent,

    /// <summary>An earlier or racing delivery sent it.</summary>
    AlreadySent,

    /// <summary>This call sent the message data and the server's answer was lost: counted as sent, never sent again.</summary>
    Unconfirmed,
}

/// <summary>The SMTP server did not take the message; a later delivery will try again.</summary>
public sealed class MailTransientException(string message, Exception inner) : Exception(message, inner);

/// <summary>
/// Sends each order e-mail once. A row in the outbox table (PartitionKey = order id, RowKey
/// <c>mail-{kind}</c>) is written Pending, with a claim, before the SMTP call and marked Sent after
/// it. A delivery that finds the row Sent skips the e-mail; one that finds it Pending under a live
/// claim waits for the claimant instead of sending too; an expired claim (its holder crashed) is
/// taken over. The one window left is a crash after the server accepted the message and before
/// the row says Sent: the next delivery sends again, with the same Message-ID.
/// <para>
/// The SMTP exchange must end within half the claim, so the claim cannot run out (on this clock
/// or on an instance whose clock runs ahead) while the message is still on the wire and another
/// delivery sends it too. An exchange whose answer was lost after the message data went out
/// (<see cref="MailOutcomeUnknownException"/>, also when that deadline ends it) counts as sent:
/// the row says Sent with <c>Unconfirmed</c> set, and the e-mail is not sent again.
/// </para>
/// </summary>
public sealed partial class MailOutbox(OrdersStorage storage, IMailSender sender, OrdersOptions options, TimeProvider time, ILogger<MailOutbox> logger)
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);

    /// <summary>Every e-mail row's RowKey starts so, and no other row's: the rows are one key range up to <see cref="RowKeyRangeEnd"/>.</summary>
    public const string RowKeyPrefix = "mail-";
    public const string RowKeyRangeEnd = "mail.";

    public static string RowKeyOf(OrderMailKind kind) => $"{RowKeyPrefix}{kind.ToString().ToLowerInvariant()}";

    public async Task<MailOutcome> SendOnceAsync(Order order, OrderMailKind kind, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(order);
        var message = OrderMail.Compose(order, kind, options.MailFrom);
        var row = await ClaimAsync(order.Id, kind, message, cancellationToken).ConfigureAwait(false);
        if (row is null)
        {
            return MailOutcome.AlreadySent;
        }

        using var deadline = new CancellationTokenSource(options.MailClaim / 2, time);
        using var exchange = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            await FunctionsJobsTelemetry.TraceAsync("smtp send", () => sender.SendAsync(message, exchange.Token)).ConfigureAwait(false);
        }
        catch (MailOutcomeUnknownException ex)
        {
            LogUnconfirmed(order.Id, kind.ToString(), ex.InnerException?.Message ?? ex.Message);
            row["State"] = "Sent";
            row["SentAt"] = time.GetUtcNow();
            row["Unconfirmed"] = true;
            row["LastError"] = $"{ex.InnerException?.GetType().Name}: {ex.InnerException?.Message}";
            await BestEffortUpdateAsync(row).ConfigureAwait(false);
            return MailOutcome.Unconfirmed;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Let the next delivery claim it at once rather than after the claim runs out.
            row["ClaimedUntil"] = time.GetUtcNow();
            row["LastError"] = $"{ex.GetType().Name}: {ex.Message}";
            await BestEffortUpdateAsync(row).ConfigureAwait(false);
            throw new MailTransientException($"SMTP {options.SmtpHost}:{options.SmtpPort} did not take the {kind} e-mail: {ex.Message}", ex);
        }

        row["State"] = "Sent";
        row["SentAt"] = time.GetUtcNow();
        row["LastError"] = null;

        // A failed update only widens the documented window: the e-mail is out either way.
        await BestEffortUpdateAsync(row).ConfigureAwait(false);
        return MailOutcome.Sent;
    }

    /// <summary>The row this delivery now holds the claim of, or null if the e-mail is already sent.</summary>
    private async Task<TableEntity?> ClaimAsync(string orderId, OrderMailKind kind, MimeMessage message, CancellationToken cancellationToken)
    {
        var fresh = new TableEntity(orderId, RowKeyOf(kind))
        {
            ["State"] = "Pending",
            ["MessageId"] = message.MessageId,
            ["To"] = message.To.ToString(),
            ["Attempts"] = 1,
            ["ClaimedUntil"] = time.GetUtcNow() + options.MailClaim,
            ["CreatedAt"] = time.GetUtcNow(),
        };
        try
        {
            var added = await storage.RunAsync(() => storage.Outbox.AddEntityAsync(fresh, cancellationToken), cancellationToken).ConfigureAwait(false);
            fresh.ETag = added.Headers.ETag ?? default;
            return fresh;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // Another delivery wrote it: see below.
        }

        while (true)
        {
            var response = await storage.RunAsync(() => storage.Outbox.GetEntityAsync<TableEntity>(orderId, RowKeyOf(kind), cancellationToken: cancellationToken), cancellationToken).ConfigureAwait(false);
            var row = response.Value;
            if (row.GetString("State") == "Sent")
            {
                return null;
            }

            var now = time.GetUtcNow();
            if (row.GetDateTimeOffset("ClaimedUntil") is { } until && until > now)
            {
                await Task.Delay(Poll, time, cancellationToken).ConfigureAwait(false);
                continue;
            }

            row["ClaimedUntil"] = now + options.MailClaim;
            row["Attempts"] = (row.GetInt32("Attempts") ?? 0) + 1;
            if (await TryUpdateAsync(row, cancellationToken).ConfigureAwait(false))
            {
                return row;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Order {OrderId}: the {MailKind} e-mail went out but the SMTP server's answer was lost ({Error}); it counts as sent and is not sent again")]
    private partial void LogUnconfirmed(string orderId, string mailKind, string error);

    private async Task BestEffortUpdateAsync(TableEntity row)
    {
        try
        {
            await TryUpdateAsync(row, CancellationToken.None).ConfigureAwait(false);
        }
        catch (RequestFailedException)
        {
            // Storage is failing too; the claim simply runs out.
        }
    }

    private async Task<bool> TryUpdateAsync(TableEntity row, CancellationToken cancellationToken)
    {
        try
        {
            var response = await storage.RunAsync(() => storage.Outbox.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, cancellationToken), cancellationToken).ConfigureAwait(false);
            row.ETag = response.Headers.ETag ?? default;
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            return false;
        }
    }
}
