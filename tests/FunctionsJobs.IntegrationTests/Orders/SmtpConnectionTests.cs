using FunctionsJobs.Core.Orders;
using FunctionsJobs.Testing;

namespace FunctionsJobs.IntegrationTests.Orders;

/// <summary>
/// The confirmation e-mail against an SMTP server that drops idle connections and loses its answer
/// to the message data (<see cref="FaultySmtpServer"/>): what maildev does after 60 s idle, and
/// real servers after minutes, made quick.
/// </summary>
public sealed class SmtpConnectionTests(OrdersFixture fixture) : IClassFixture<OrdersFixture>
{
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(IdleFault.Reply421)]
    [InlineData(IdleFault.Close)]
    [InlineData(IdleFault.Reset)]
    public async Task A_pooled_connection_the_server_dropped_while_idle_costs_no_delivery(IdleFault fault)
    {
        await using var smtp = FaultySmtpServer.Start();
        smtp.IdleTimeout = IdleTimeout;
        smtp.IdleFault = fault;
        await using var orders = await OrdersHarness.StartAsync(fixture, smtp.Settings);
        await orders.SeedAsync("MILL", 10);
        await CompleteFirstOrderAndLetItsConnectionGoIdleAsync(orders, smtp, "MILL");

        var id = await orders.AcceptAsync(SandboxPaymentGateway.Visa, (orders.Sku("MILL"), 1));
        await DuplicateDelivery.DeliverTwiceAsync(orders.Workflow(), new OrderMessage(id), OrdersHarness.Delivery(1));

        var order = await orders.OrderAsync(id);
        Assert.Equal(OrderStatus.Completed, order.Status);
        Assert.DoesNotContain(order.History, h => h.Outcome == OrderSteps.Retrying);
        Assert.Single(smtp.Messages, m => m.OrderId == id);
        Assert.Equal(2, smtp.Connections);
    }

    [Fact]
    public async Task A_stale_connection_on_the_last_delivery_never_sends_a_paid_order_into_compensation()
    {
        await using var smtp = FaultySmtpServer.Start();
        smtp.IdleTimeout = IdleTimeout;
        await using var orders = await OrdersHarness.StartAsync(fixture, smtp.Settings);
        await orders.SeedAsync("KETTLE", 10);
        await CompleteFirstOrderAndLetItsConnectionGoIdleAsync(orders, smtp, "KETTLE");

        var id = await orders.AcceptAsync(SandboxPaymentGateway.Visa, (orders.Sku("KETTLE"), 1));
        await orders.Workflow().HandleAsync(new OrderMessage(id), OrdersHarness.Delivery(orders.Options.MaxDequeueCount), default);

        var order = await orders.OrderAsync(id);
        Assert.Equal(OrderStatus.Completed, order.Status);
        Assert.Equal("Succeeded", Assert.Single(await orders.ChargesAsync(id)).GetString("State"));
        Assert.Single(smtp.Messages, m => m.OrderId == id);
        Assert.Equal(8, await orders.AvailableAsync("KETTLE"));
    }

    [Theory]
    [InlineData(DataFault.CloseWithoutReply, false)]
    [InlineData(DataFault.CloseWithoutReply, true)]
    [InlineData(DataFault.NeverReply, false)]
    [InlineData(DataFault.NeverReply, true)]
    public async Task An_answer_lost_after_the_message_data_never_sends_the_email_twice(DataFault fault, bool pooled)
    {
        await using var smtp = FaultySmtpServer.Start();

        // The send must end within half the claim: 1 s here, so a server that never answers is given up quickly.
        await using var orders = await OrdersHarness.StartAsync(fixture, new Dictionary<string, string>(smtp.Settings) { [OrdersSettings.MailClaim] = "00:00:02" });
        await orders.SeedAsync("SCALE", 10);
        if (pooled)
        {
            var first = await orders.AcceptAsync(SandboxPaymentGateway.Visa, (orders.Sku("SCALE"), 1));
            await orders.Workflow().HandleAsync(new OrderMessage(first), OrdersHarness.Delivery(1), default);
        }

        var id = await orders.AcceptAsync(SandboxPaymentGateway.Visa, (orders.Sku("SCALE"), 1));
        smtp.DataFault = fault;
        await orders.Workflow().HandleAsync(new OrderMessage(id), OrdersHarness.Delivery(1), default);
        smtp.DataFault = DataFault.None;
        await DuplicateDelivery.DeliverTwiceAsync(orders.Workflow(), new OrderMessage(id), OrdersHarness.Delivery(2));

        var order = await orders.OrderAsync(id);
        Assert.Equal(OrderStatus.Completed, order.Status);
        Assert.Contains(order.History, h => h is { Step: OrderSteps.SendConfirmation, Attempt: 1, Outcome: OrderSteps.Succeeded });
        Assert.Single(smtp.Messages, m => m.OrderId == id);
    }

    /// <summary>One order completes, which leaves its SMTP connection in the pool, and the server drops that connection for being idle.</summary>
    private static async Task CompleteFirstOrderAndLetItsConnectionGoIdleAsync(OrdersHarness orders, FaultySmtpServer smtp, string sku)
    {
        var first = await orders.AcceptAsync(SandboxPaymentGateway.Visa, (orders.Sku(sku), 1));
        await orders.Workflow().HandleAsync(new OrderMessage(first), OrdersHarness.Delivery(1), default);
        Assert.Equal(OrderStatus.Completed, (await orders.OrderAsync(first)).Status);
        await smtp.WaitForIdleClosesAsync(1, Wait);
    }
}
