using FunctionsJobs.Core.Orders;
using FunctionsJobs.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace FunctionsJobs.IntegrationTests.Orders;

/// <summary>The workflow against real Azurite and maildev, delivery by delivery, with duplicates and races.</summary>
public sealed class OrderWorkflowTests(OrdersFixture fixture) : IClassFixture<OrdersFixture>
{
    [Fact]
    public async Task Every_delivery_twice_leaves_one_reservation_one_charge_one_email_and_a_completed_order()
    {
        await using var orders = await OrdersHarness.StartAsync(fixture);
        await orders.SeedAsync("BEANS", 10, 2490);
        await orders.SeedAsync("CUP", 10, 750);
        var id = await orders.AcceptAsync(SandboxPaymentGateway.Visa, (orders.Sku("BEANS"), 2), (orders.Sku("CUP"), 3));

        await DuplicateDelivery.DeliverTwiceAsync(orders.Workflow(), new OrderMessage(id));

        var order = await orders.OrderAsync(id);
        Assert.Equal(OrderStatus.Completed, order.Status);
        Assert.Equal(8, await orders.AvailableAsync("BEANS"));
        Assert.Equal(7, await orders.AvailableAsync("CUP"));
        Assert.Equal(2, (await orders.ReservationsAsync(id)).Count(r => r.State == "Reserved"));
        var charge = Assert.Single(await orders.ChargesAsync(id));
        Assert.Equal("Succeeded", charge.GetString("State"));
        Assert.Equal((2 * 2490) + (3 * 750), charge.GetInt64("AmountCents"));
        var mail = Assert.Single(await orders.MailsAsync(id));
        Assert.Equal(OrderMail.MessageIdOf(id, OrderMailKind.Confirmation, orders.Options.MailFrom), mail.MessageId);
        Assert.Equal(OrdersHarness.Customer, Assert.Single(mail.To).Address);

        // The second delivery found the order terminal and changed nothing, not even the history.
        Assert.Equal(
            [OrderSteps.Accept, OrderSteps.ReserveStock, OrderSteps.Charge, OrderSteps.SendConfirmation, OrderSteps.Complete],
            order.History.Select(h => h.Step));
        Assert.All(order.History.Skip(1), h => Assert.Equal(1, h.Attempt));
    }

    [Fact]
    public async Task Two_racing_deliveries_of_each_order_reserve_charge_and_email_once()
    {
        await using var orders = await OrdersHarness.StartAsync(fixture);
        await orders.SeedAsync("KETTLE", 100);
        var ids = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            ids.Add(await orders.AcceptAsync(SandboxPaymentGateway.Visa, (orders.Sku("KETTLE"), 2)));
        }

        await Task.WhenAll(ids.Select(id => DuplicateDelivery.DeliverRacingAsync(orders.Workflow(), orders.Workflow(), new OrderMessage(id))));

        Assert.Equal(100 - (10 * 2), await orders.AvailableAsync("KETTLE"));
        foreach (var id in ids)
        {
            Assert.Equal(OrderStatus.Completed, (await orders.OrderAsync(id)).Status);
            Assert.Single(await orders.ReservationsAsync(id));
            Assert.Equal("Succeeded", Assert.Single(await orders.ChargesAsync(id)).GetString("State"));
            Assert.Single(await orders.MailsAsync(id));
        }
    }

    [Fact]
    public async Task Orders_racing_for_scarce_stock_never_oversell_and_the_losers_are_rejected_with_nothing_held()
    {
        await using var orders = await OrdersHarness.StartAsync(fixture);
        await orders.SeedAsync("MUG", 3);
        await orders.SeedAsync("SPOON", 100);
        var ids = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            ids.Add(await orders.AcceptAsync(SandboxPaymentGateway.Visa, (orders.Sku("SPOON"), 1), (orders.Sku("MUG"), 1)));
        }

        await Task.WhenAll(ids.Select(id => DuplicateDelivery.DeliverRacingAsync(orders.Workflow(), orders.Workflow(), new OrderMessage(id))));

        var finished = new List<Order>();
        foreach (var id in ids)
        {
            finished.Add(await orders.OrderAsync(id));
        }

        Assert.Equal(3, finished.Count(o => o.Status == OrderStatus.Completed));
        Assert.Equal(3, finished.Count(o => o.Status == OrderStatus.Rejected));
        Assert.Equal(0, await orders.AvailableAsync("MUG"));
        Assert.Equal(97, await orders.AvailableAsync("SPOON"));
        foreach (var rejected in finished.Where(o => o.Status == OrderStatus.Rejected))
        {
            Assert.Contains($"not enough stock of {orders.Sku("MUG")}", rejected.Reason, StringComparison.Ordinal);
            Assert.Empty(await orders.ChargesAsync(rejected.Id));
            Assert.DoesNotContain(await orders.ReservationsAsync(rejected.Id), r => r.State == "Reserved");
            Assert.Equal($"Order {rejected.Id} could not be accepted", Assert.Single(await orders.MailsAsync(rejected.Id)).Subject);
        }
    }

    [Fact]
    public async Task A_declined_payment_releases_the_stock_fails_the_order_and_emails_the_customer_once()
    {
        await using var orders = await OrdersHarness.StartAsync(fixture);
        await orders.SeedAsync("GRINDER", 5);
        var id = await orders.AcceptAsync(SandboxPaymentGateway.Decline, (orders.Sku("GRINDER"), 2));

        await DuplicateDelivery.DeliverTwiceAsync(orders.Workflow(), new OrderMessage(id));

        var order = await orders.OrderAsync(id);
        Assert.Equal(OrderStatus.Failed, order.Status);
        Assert.Equal("payment declined: card declined", order.Reason);
        Assert.Equal(5, await orders.AvailableAsync("GRINDER"));
        Assert.Equal("Released", Assert.Single(await orders.ReservationsAsync(id)).State);
        Assert.Equal("Declined", Assert.Single(await orders.ChargesAsync(id)).GetString("State"));
        var mail = Assert.Single(await orders.MailsAsync(id));
        Assert.Equal($"Order {id} failed", mail.Subject);
        Assert.Contains(order.History, h => h is { Step: OrderSteps.Charge, Outcome: OrderSteps.Declined });
        Assert.Contains(order.History, h => h.Step == OrderSteps.Compensate);
        Assert.Equal(OrderSteps.NotifyCustomer, order.History[^1].Step);
    }

    [Fact]
    public async Task A_transient_gateway_failure_is_retried_by_the_queue_and_charges_once()
    {
        await using var orders = await OrdersHarness.StartAsync(fixture);
        await orders.SeedAsync("PRESS", 5);
        var id = await orders.AcceptAsync(SandboxPaymentGateway.Transient, (orders.Sku("PRESS"), 1));
        var message = new OrderMessage(id);

        // tok_transient fails twice (PaymentSandboxTransientFailures), then goes through.
        await Assert.ThrowsAsync<OrderRetryException>(() => orders.Workflow().HandleAsync(message, OrdersHarness.Delivery(1), default));
        await Assert.ThrowsAsync<OrderRetryException>(() => orders.Workflow().HandleAsync(message, OrdersHarness.Delivery(2), default));
        await DuplicateDelivery.DeliverTwiceAsync(orders.Workflow(), message, OrdersHarness.Delivery(3));

        var order = await orders.OrderAsync(id);
        Assert.Equal(OrderStatus.Completed, order.Status);
        Assert.Equal([1L, 2L], order.History.Where(h => h.Outcome == OrderSteps.Retrying).Select(h => h.Attempt));
        Assert.All(order.History.Where(h => h.Outcome == OrderSteps.Retrying), h => Assert.Equal(OrderSteps.Charge, h.Step));
        Assert.Equal("Succeeded", Assert.Single(await orders.ChargesAsync(id)).GetString("State"));
        Assert.Equal(4, await orders.AvailableAsync("PRESS"));
        Assert.Single(await orders.MailsAsync(id));
    }

    [Fact]
    public async Task On_the_last_delivery_a_still_failing_gateway_gets_the_order_compensated_and_failed_never_half_done()
    {
        await using var orders = await OrdersHarness.StartAsync(fixture);
        await orders.SeedAsync("TEA", 5);
        var id = await orders.AcceptAsync(SandboxPaymentGateway.TransientAlways, (orders.Sku("TEA"), 2));
        var message = new OrderMessage(id);

        await Assert.ThrowsAsync<OrderRetryException>(() => orders.Workflow().HandleAsync(message, OrdersHarness.Delivery(1), default));
        await Assert.ThrowsAsync<OrderRetryException>(() => orders.Workflow().HandleAsync(message, OrdersHarness.Delivery(2), default));
        Assert.Equal(3, await orders.AvailableAsync("TEA"));

        // maxDequeueCount is 3: the third delivery does not throw, it compensates.
        await DuplicateDelivery.DeliverTwiceAsync(orders.Workflow(), message, OrdersHarness.Delivery(3));

        var order = await orders.OrderAsync(id);
        Assert.Equal(OrderStatus.Failed, order.Status);
        Assert.Equal("gave up after attempt 3 of 3: the payment provider did not answer", order.Reason);
        Assert.Equal(5, await orders.AvailableAsync("TEA"));
        Assert.Equal("Voided", Assert.Single(await orders.ChargesAsync(id)).GetString("State"));
        Assert.Contains(order.History, h => h is { Step: OrderSteps.Refund, Detail: "nothing was charged" });
        Assert.Equal($"Order {id} failed", Assert.Single(await orders.MailsAsync(id)).Subject);

        // A charge that was still on its way when the order was given up is refused when it lands.
        var late = await orders.Host.Services.GetRequiredService<IPaymentGateway>()
            .ChargeAsync(new PaymentRequest(id, SandboxPaymentGateway.Visa, 100, "EUR", "late"), default);
        Assert.Equal(PaymentOutcome.Declined, late.Outcome);
    }

    [Fact]
    public async Task With_the_smtp_server_down_the_email_goes_out_on_a_later_delivery_and_the_order_is_not_charged_again()
    {
        await using var orders = await OrdersHarness.StartAsync(fixture);
        await orders.SeedAsync("FILTER", 5);
        var id = await orders.AcceptAsync(SandboxPaymentGateway.Visa, (orders.Sku("FILTER"), 1));
        var message = new OrderMessage(id);

        await fixture.Mail.StopAsync();
        try
        {
            var failure = await Assert.ThrowsAsync<OrderRetryException>(() => orders.Workflow().HandleAsync(message, OrdersHarness.Delivery(1), default));
            Assert.IsType<MailTransientException>(failure.InnerException);
            Assert.Equal(OrderStatus.Paid, (await orders.OrderAsync(id)).Status);
        }
        finally
        {
            await fixture.Mail.StartAgainAsync();
        }

        var chargedAt = Assert.Single(await orders.ChargesAsync(id)).GetDateTimeOffset("ChargedAt");
        await DuplicateDelivery.DeliverTwiceAsync(orders.Workflow(), message, OrdersHarness.Delivery(2));

        var order = await orders.OrderAsync(id);
        Assert.Equal(OrderStatus.Completed, order.Status);
        Assert.Equal(chargedAt, Assert.Single(await orders.ChargesAsync(id)).GetDateTimeOffset("ChargedAt"));
        Assert.Single(order.History, h => h.Step == OrderSteps.Charge);
        Assert.Contains(order.History, h => h is { Step: OrderSteps.SendConfirmation, Outcome: OrderSteps.Retrying, Attempt: 1 });
        Assert.Contains(order.History, h => h is { Step: OrderSteps.SendConfirmation, Outcome: OrderSteps.Succeeded, Attempt: 2 });
        Assert.Single(await orders.MailsAsync(id));
        Assert.Equal(4, await orders.AvailableAsync("FILTER"));
    }

    [Fact]
    public async Task A_message_for_an_unknown_order_or_no_order_id_is_refused_for_poison()
    {
        await using var orders = await OrdersHarness.StartAsync(fixture);

        var unknown = await Assert.ThrowsAsync<InvalidOrderMessageException>(() => orders.Workflow().HandleAsync(new OrderMessage("20260101-00000000000000000000"), OrdersHarness.Delivery(3), default));
        var malformed = await Assert.ThrowsAsync<InvalidOrderMessageException>(() => orders.Workflow().HandleAsync(new OrderMessage("../../etc/passwd"), OrdersHarness.Delivery(1), default));

        Assert.Equal("order 20260101-00000000000000000000 does not exist", unknown.Message);
        Assert.Equal("'../../etc/passwd' is not an order id", malformed.Message);
    }
}
