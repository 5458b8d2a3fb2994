using System.Text;
using Azure.Data.Tables;
using Azure.Storage.Queues.Models;
using FunctionsJobs.Core.Orders;
using FunctionsJobs.Functions.Orders;
using Microsoft.Extensions.DependencyInjection;

namespace FunctionsJobs.Functions.Tests.Orders;

/// <summary>The order functions in-process: an order placed through the app's intake, then its queue message handed to <see cref="ProcessOrder"/>.</summary>
public sealed class OrderFunctionsTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private static readonly Dictionary<string, string> Settings = new() { [OrdersSettings.SeedInventory] = "true" };

    [Fact]
    public async Task ProcessOrder_delivered_twice_completes_the_order_with_one_charge_and_one_email()
    {
        await using var app = await FunctionsApp.StartAsync(fixture, Settings);
        var message = await PlaceAndReceiveAsync(app);
        var function = app.Function<ProcessOrder>();

        await function.RunAsync(message, CancellationToken.None);
        await function.RunAsync(message, CancellationToken.None);

        var orderId = message.Body.ToObjectFromJson<OrderMessage>(Core.Queues.JobJson.Options)!.OrderId;
        var order = (await app.Services.GetRequiredService<OrderStore>().GetAsync(orderId, CancellationToken.None))!;
        Assert.Equal(OrderStatus.Completed, order.Status);
        Assert.All(order.History.Skip(1), step => Assert.Equal(1, step.Attempt));
        Assert.Single(await ChargesAsync(app, orderId));
        Assert.Single(await fixture.Mail.MessagesAsync(), m => m.OrderId == orderId);
    }

    [Fact]
    public async Task ProcessOrder_given_a_message_that_names_no_order_throws_so_the_host_retries_then_poisons_it()
    {
        await using var app = await FunctionsApp.StartAsync(fixture, Settings);
        var message = QueuesModelFactory.QueueMessage("id", "pop", BinaryData.FromString("null"), 1);

        await Assert.ThrowsAsync<InvalidOrderMessageException>(() => app.Function<ProcessOrder>().RunAsync(message, CancellationToken.None));
    }

    /// <summary>Places an order as <c>PlaceOrder</c> does and takes its message off the queue as the host's queue trigger would.</summary>
    private static async Task<QueueMessage> PlaceAndReceiveAsync(FunctionsApp app)
    {
        var body = new MemoryStream(Encoding.UTF8.GetBytes("""{ "customerEmail": "ada@example.com", "items": [ { "sku": "KETTLE", "quantity": 1 } ], "paymentToken": "tok_visa" }"""));
        var placed = await app.Services.GetRequiredService<OrderIntake>().PlaceAsync("application/json", body.Length, body, null, null, CancellationToken.None);
        var orderId = Assert.IsType<PlaceOrderResult.Accepted>(placed).OrderId;
        // The app's queue client decodes base64, as the host's queue trigger does.
        var queue = app.Services.GetRequiredService<OrdersStorage>().Queue;
        for (var attempt = 0; attempt < 50; attempt++)
        {
            foreach (var message in (await queue.ReceiveMessagesAsync(32)).Value)
            {
                if (message.Body.ToObjectFromJson<OrderMessage>(Core.Queues.JobJson.Options)?.OrderId == orderId)
                {
                    return message;
                }
            }
        }

        throw new InvalidOperationException($"the message of order {orderId} never arrived");
    }

    private static async Task<List<TableEntity>> ChargesAsync(FunctionsApp app, string orderId)
    {
        var rows = new List<TableEntity>();
        await foreach (var row in app.Services.GetRequiredService<OrdersStorage>().Payments.QueryAsync<TableEntity>(e => e.PartitionKey == orderId && e.RowKey == "charge"))
        {
            rows.Add(row);
        }

        return rows;
    }
}
