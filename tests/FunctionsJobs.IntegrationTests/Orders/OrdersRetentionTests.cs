using System.Net;
using Azure.Data.Tables;
using FunctionsJobs.Core.Orders;
using FunctionsJobs.Core.Scheduling;
using FunctionsJobs.Core.Retention;
using FunctionsJobs.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace FunctionsJobs.IntegrationTests.Orders;

/// <summary>The retention clean-up of the orders' Idempotency-Key records and e-mail outbox rows.</summary>
public sealed class OrdersRetentionTests(OrdersFixture fixture) : IClassFixture<OrdersFixture>
{
    [Fact]
    public async Task Old_idempotency_keys_and_old_outbox_rows_of_terminal_orders_go_young_ones_and_a_non_terminal_orders_stay()
    {
        var time = new ShiftedTimeProvider();
        await using var orders = await OrdersHarness.StartAsync(
            fixture,
            new Dictionary<string, string>
            {
                [OrdersSettings.RetentionIdempotencyDays] = "7",
                [OrdersSettings.RetentionOutboxDays] = "30",
                [OrderSupervisorSettings.ScheduleSetting] = "0 0 0 1 1 *",
            },
            builder => builder.Services.AddSingleton<TimeProvider>(time));
        await orders.SeedAsync("BEANS", 100);
        var body = OrdersHarness.Body(SandboxPaymentGateway.Visa, (orders.Sku("BEANS"), 1));

        time.Advance(TimeSpan.FromDays(-40));
        var old = await PlaceAndCompleteAsync(orders, body, "old-key");
        var stuck = await orders.AcceptAsync(SandboxPaymentGateway.Visa, (orders.Sku("BEANS"), 1));
        await orders.PayWithSmtpDownAsync(stuck);

        time.Advance(TimeSpan.FromDays(40));
        var young = await PlaceAndCompleteAsync(orders, body, "young-key");
        var before = await OutboxRowsAsync(orders);
        Assert.Equal(2, before.Count(r => r.PartitionKey.StartsWith(IdempotencyStore.PartitionPrefix, StringComparison.Ordinal)));

        var run = await orders.Host.Services.GetRequiredService<JobRunner>().RunAsync(
            orders.Host.Services.GetRequiredService<RetentionCleanupJob>(), new JobRunRequest(JobTrigger.Manual), CancellationToken.None);

        Assert.Equal(JobOutcome.Succeeded, run.Outcome);
        var after = await OutboxRowsAsync(orders);
        Assert.Single(after, r => r.PartitionKey.StartsWith(IdempotencyStore.PartitionPrefix, StringComparison.Ordinal) && r.GetString("OrderId") == young);
        Assert.Equal(
            [(stuck, "Pending"), (young, "Sent")],
            after.Where(r => r.RowKey.StartsWith(MailOutbox.RowKeyPrefix, StringComparison.Ordinal)).Select(r => (r.PartitionKey, r.GetString("State"))).Order());
        Assert.Equal(3, after.Count);
        Assert.Equal(OrderStatus.Completed, (await orders.OrderAsync(old)).Status);

        // The order that is not terminal still finds its e-mail Pending, and sends it once.
        await DuplicateDelivery.DeliverTwiceAsync(orders.Workflow(), new OrderMessage(stuck), OrdersHarness.Delivery(2));
        Assert.Equal(OrderStatus.Completed, (await orders.OrderAsync(stuck)).Status);
        Assert.Single(await orders.MailsAsync(stuck));

        // A forgotten key places a new order; a remembered one still answers with its order.
        Assert.NotEqual(old, await PlaceAndCompleteAsync(orders, body, "old-key"));
        Assert.Equal(young, await PlaceAndCompleteAsync(orders, body, "young-key"));

        // Once that order is terminal, the next clean-up removes its old row too, and only that.
        await orders.Host.Services.GetRequiredService<JobRunner>().RunAsync(
            orders.Host.Services.GetRequiredService<RetentionCleanupJob>(), new JobRunRequest(JobTrigger.Manual), CancellationToken.None);
        var last = await OutboxRowsAsync(orders);
        Assert.Equal(4, last.Count);
        Assert.DoesNotContain(last, r => r.PartitionKey == stuck);
    }

    private static async Task<string> PlaceAndCompleteAsync(OrdersHarness orders, object body, string key)
    {
        using var accepted = await orders.PostAsync(body, key);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var id = await OrdersHarness.OrderIdOfAsync(accepted);
        Assert.Equal(OrderStatus.Completed, (await orders.WaitForTerminalAsync(id)).Status);
        return id;
    }

    private static async Task<List<TableEntity>> OutboxRowsAsync(OrdersHarness orders)
    {
        var rows = new List<TableEntity>();
        await foreach (var row in orders.Storage.Outbox.QueryAsync<TableEntity>())
        {
            rows.Add(row);
        }

        return rows;
    }
}
