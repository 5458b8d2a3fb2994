using Azure.Storage.Queues;
using FunctionsJobs.Core.Orders;
using FunctionsJobs.Core.Scheduling;
using FunctionsJobs.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace FunctionsJobs.IntegrationTests.Orders;

/// <summary>
/// A long queue is not a stuck order: the supervisor against 2,000 orders waiting behind a handler
/// slower than its threshold, with the Host's clock moved past that threshold again and again.
/// </summary>
public sealed class OrderBacklogTests(OrdersFixture fixture, ITestOutputHelper output) : IClassFixture<OrdersFixture>
{
    private const int Backlog = 2000;
    private static readonly TimeSpan PastThreshold = TimeSpan.FromMinutes(6);

    [Fact]
    public async Task Orders_waiting_in_a_long_queue_are_neither_dispatched_again_nor_compensated_and_all_complete_once_the_handler_catches_up()
    {
        var time = new ShiftedTimeProvider();
        CountingOrderDispatcher? dispatcher = null;
        await using var orders = await OrdersHarness.StartAsync(
            fixture,
            new Dictionary<string, string>
            {
                // Only the test runs the supervisor; the queue's default retry budget, as in production.
                [OrderSupervisorSettings.ScheduleSetting] = "0 0 0 1 1 *",
                ["AzureFunctionsJobHost:extensions:queues:maxDequeueCount"] = "5",
            },
            builder =>
            {
                builder.Services.AddSingleton<TimeProvider>(time);
                builder.Services.AddSingleton(sp => new HeldPaymentGateway(ActivatorUtilities.CreateInstance<SandboxPaymentGateway>(sp)));
                builder.Services.AddSingleton<IPaymentGateway>(sp => sp.GetRequiredService<HeldPaymentGateway>());
                builder.Services.AddSingleton<IOrderDispatcher>(sp => dispatcher = new CountingOrderDispatcher(ActivatorUtilities.CreateInstance<StorageQueueOrderDispatcher>(sp)));
            });
        await orders.SeedAsync("BACKLOG", 10 * Backlog);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var ids = await OrderBacklog.QueueAsync(fixture.Azurite.ConnectionString, orders.Options.OrdersTableName, orders.Options.QueueName, Backlog, new OrderLine(orders.Sku("BACKLOG"), 1, 1000), SandboxPaymentGateway.Visa);
        output.WriteLine($"{clock.Elapsed}: {Backlog} orders queued");

        // Four passes, each past the threshold since the last: enough for three re-dispatches and a compensation of every order.
        var queue = new QueueClient(fixture.Azurite.ConnectionString, orders.Options.QueueName);
        for (var pass = 1; pass <= 4; pass++)
        {
            time.Advance(PastThreshold);
            var run = await orders.Host.Services.GetRequiredService<JobRunner>().RunAsync(
                orders.Host.Services.GetRequiredService<OrderSupervisorJob>(), new JobRunRequest(JobTrigger.Manual), CancellationToken.None);
            Assert.Equal(JobOutcome.Succeeded, run.Outcome);
            Assert.Equal(0, dispatcher!.Sent);
            Assert.InRange((await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount, 1, Backlog);
            output.WriteLine($"{clock.Elapsed}: pass {pass} looked at {run.ItemsProcessed} orders, dispatched none again");
        }

        orders.Host.Services.GetRequiredService<HeldPaymentGateway>().Open();
        var completed = 0;
        await Queues.QueueHarness.EventuallyAsync(
            async () => (completed = await CountCompletedAsync(orders)) == Backlog, $"all {Backlog} orders completed (last seen {completed})", TimeSpan.FromMinutes(5));
        output.WriteLine($"{clock.Elapsed}: all {Backlog} completed");

        foreach (var id in ids)
        {
            var order = await orders.OrderAsync(id);
            Assert.DoesNotContain(order.History, h => h.Step is OrderSteps.Supervise or OrderSteps.Compensate);
        }

        Assert.Equal(0, dispatcher!.Sent);
        Assert.Equal(10 * Backlog - Backlog, await orders.AvailableAsync("BACKLOG"));
    }

    private static async Task<int> CountCompletedAsync(OrdersHarness orders)
    {
        var count = 0;
        await foreach (var row in orders.Storage.Orders.QueryAsync<Azure.Data.Tables.TableEntity>(select: ["Status"]))
        {
            count += row.GetString("Status") == nameof(OrderStatus.Completed) ? 1 : 0;
        }

        return count;
    }
}
