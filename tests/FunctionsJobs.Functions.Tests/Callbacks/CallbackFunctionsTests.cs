using System.Text;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using FunctionsJobs.Core.Callbacks;
using FunctionsJobs.Core.Orders;
using FunctionsJobs.Core.Storage;
using FunctionsJobs.Functions.Callbacks;
using FunctionsJobs.Functions.Orders;
using FunctionsJobs.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace FunctionsJobs.Functions.Tests.Callbacks;

/// <summary>
/// The Functions app's callback path in-process: an order placed through its <c>PlaceOrder</c> HTTP
/// function with a <c>Callback-Url</c>, processed by <c>ProcessOrder</c>, its event delivered by
/// <c>DeliverCallback</c>, twice, to a real receiver.
/// </summary>
public sealed class CallbackFunctionsTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private const string Secret = "whsec_ZnVuY3Rpb25zLWFwcC1jYWxsYmFjay10ZXN0cy1rZXk=";

    [Fact]
    public async Task DeliverCallback_delivered_twice_posts_the_order_s_signed_event_twice_under_one_id()
    {
        await using var receiver = await CallbackReceiver.StartAsync(Secret);
        var suffix = Guid.NewGuid().ToString("N")[..8];
        await using var app = await FunctionsApp.StartAsync(fixture, new Dictionary<string, string>
        {
            [OrdersSettings.SeedInventory] = "true",
            [OrdersSettings.QueueName] = $"orders-{suffix}",
            [CallbackSettings.QueueNameSetting] = $"callbacks-{suffix}",
            [CallbackSettings.SigningSecretSetting] = Secret,
            [CallbackSettings.AllowPrivateNetworksSetting] = "true",
        });

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/orders")
        {
            Content = new StringContent("""{ "customerEmail": "ada@example.com", "items": [ { "sku": "KETTLE", "quantity": 1 } ], "paymentToken": "tok_visa" }""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Callback-Url", receiver.Url());
        request.Headers.Add("Correlation-Id", "fn-1");
        var placed = await app.SendAsync(request);
        Assert.Equal(202, placed.Status);
        var orderId = placed.Json().GetProperty("id").GetString()!;

        var orders = app.Services.GetRequiredService<OrdersStorage>().Queue;
        await app.Function<ProcessOrder>().RunAsync(await ReceiveAsync(orders), CancellationToken.None);
        Assert.Equal(OrderStatus.Completed, (await app.Services.GetRequiredService<OrderStore>().GetAsync(orderId, default))!.Status);

        var callbacks = app.Services.GetRequiredService<StorageAccount>().Queues.GetQueueClient($"callbacks-{suffix}");
        var message = await ReceiveAsync(callbacks);
        var function = app.Function<DeliverCallback>();
        await function.RunAsync(message.Body.ToString(), message.MessageId, message.DequeueCount, message.InsertedOn!.Value, CancellationToken.None);
        await function.RunAsync(message.Body.ToString(), message.MessageId, message.DequeueCount + 1, message.InsertedOn!.Value, CancellationToken.None);

        Assert.Equal(2, receiver.Received.Count);
        Assert.All(receiver.Received, r => Assert.Null(r.Problem));
        Assert.Single(receiver.Received.Select(r => r.EventId).Distinct());
        var posted = receiver.Received.First();
        Assert.Equal((orderId, "order.completed", "fn-1", $"/api/orders/{orderId}"), (posted.ResourceId, posted.Type, posted.CorrelationId, posted.StatusUrl));
        Assert.Equal(CallbackEvent.IdOf(OrderCallbacks.Kind, orderId, "Completed"), posted.EventId);
        Assert.Empty((await callbacks.PeekMessagesAsync(32)).Value);
    }

    private static async Task<QueueMessage> ReceiveAsync(QueueClient queue)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            if ((await queue.ReceiveMessagesAsync(1)).Value.FirstOrDefault() is { } message)
            {
                return message;
            }

            await Task.Delay(50);
        }

        throw new InvalidOperationException($"no message on {queue.Name}");
    }
}
