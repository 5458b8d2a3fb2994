using FunctionsJobs.Core.Orders;

namespace FunctionsJobs.UnitTests.Orders;

public sealed class OrderMailTests
{
    private static readonly Order Sample = new()
    {
        Id = "20260101-0123456789abcdef0123",
        CustomerEmail = "ada@example.com",
        PaymentToken = "tok_visa",
        Lines = [new OrderLine("COFFEE-1KG", 2, 2490), new OrderLine("CUP", 1, 750)],
        CreatedAt = DateTimeOffset.UnixEpoch,
        Status = OrderStatus.Paid,
    };

    [Fact]
    public void The_message_id_follows_from_the_order_and_the_kind_so_a_resend_carries_the_same_one()
    {
        var first = OrderMail.Compose(Sample, OrderMailKind.Confirmation, "orders@shop.example");
        var again = OrderMail.Compose(Sample, OrderMailKind.Confirmation, "orders@shop.example");
        var failed = OrderMail.Compose(Sample, OrderMailKind.Failed, "orders@shop.example");

        Assert.Equal("20260101-0123456789abcdef0123.confirmation@shop.example", first.MessageId);
        Assert.Equal(first.MessageId, again.MessageId);
        Assert.NotEqual(first.MessageId, failed.MessageId);
    }

    [Fact]
    public void The_confirmation_lists_the_lines_and_the_total()
    {
        var mail = OrderMail.Compose(Sample, OrderMailKind.Confirmation, "orders@shop.example");

        Assert.Equal("Order 20260101-0123456789abcdef0123 confirmed", mail.Subject);
        Assert.Equal("ada@example.com", mail.To.Mailboxes.Single().Address);
        Assert.Equal("20260101-0123456789abcdef0123", mail.Headers["X-Order-Id"]);
        Assert.Contains("2 x COFFEE-1KG at 24.90 EUR = 49.80 EUR", mail.TextBody, StringComparison.Ordinal);
        Assert.Contains("Total: 57.30 EUR", mail.TextBody, StringComparison.Ordinal);
    }
}
