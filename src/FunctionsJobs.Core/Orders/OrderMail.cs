using System.Globalization;
using System.Text;
using MimeKit;

namespace FunctionsJobs.Core.Orders;

/// <summary>The e-mails an order can send: one per outcome, at most one of each kind per order.</summary>
public enum OrderMailKind
{
    Confirmation,
    Rejected,
    Failed,
}

/// <summary>
/// Writes the customer e-mails. The Message-ID follows from the order id and the kind alone
/// (<c>{orderId}.{kind}@{sender domain}</c>), so a message sent again after a crash carries the same
/// id, and mail systems that deduplicate by Message-ID show it once.
/// </summary>
public static class OrderMail
{
    public static string MessageIdOf(string orderId, OrderMailKind kind, string from) =>
        $"{orderId}.{kind.ToString().ToLowerInvariant()}@{from[(from.LastIndexOf('@') + 1)..]}";

    public static MimeMessage Compose(Order order, OrderMailKind kind, string from)
    {
        ArgumentNullException.ThrowIfNull(order);
        var message = new MimeMessage { MessageId = MessageIdOf(order.Id, kind, from) };
        message.From.Add(MailboxAddress.Parse(from));
        message.To.Add(MailboxAddress.Parse(order.CustomerEmail));
        message.Date = order.UpdatedAt;
        message.Headers.Add("X-Order-Id", order.Id);

        var text = new StringBuilder();
        switch (kind)
        {
            case OrderMailKind.Confirmation:
                message.Subject = $"Order {order.Id} confirmed";
                text.AppendLine(CultureInfo.InvariantCulture, $"Thank you for your order {order.Id}. It is paid and on its way.");
                break;
            case OrderMailKind.Rejected:
                message.Subject = $"Order {order.Id} could not be accepted";
                text.AppendLine(CultureInfo.InvariantCulture, $"We are sorry: order {order.Id} could not be accepted ({order.Reason}). Nothing was charged.");
                break;
            default:
                message.Subject = $"Order {order.Id} failed";
                text.AppendLine(CultureInfo.InvariantCulture, $"We are sorry: order {order.Id} failed ({order.Reason}). Any amount charged is refunded.");
                break;
        }

        text.AppendLine();
        foreach (var line in order.Lines)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {line.Quantity} x {line.Sku} at {Money(line.UnitPriceCents, order.Currency)} = {Money(line.TotalCents, order.Currency)}");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"  Total: {Money(order.TotalCents, order.Currency)}");
        message.Body = new TextPart("plain") { Text = text.ToString() };
        return message;
    }

    private static string Money(long cents, string currency) =>
        string.Create(CultureInfo.InvariantCulture, $"{cents / 100}.{cents % 100:D2} {currency}");
}
