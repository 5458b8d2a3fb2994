using System.Text.Json;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using FunctionsJobs.Core.Orders;
using FunctionsJobs.Core.Queues;

namespace FunctionsJobs.IntegrationTests.Orders;

/// <summary>Orders accepted and queued as the starter leaves them, written straight to storage: a backlog waiting for the workflow.</summary>
public static class OrderBacklog
{
    /// <returns>The order ids, in the order their messages were queued.</returns>
    public static async Task<IReadOnlyList<string>> QueueAsync(string connectionString, string ordersTable, string queueName, int count, OrderLine line, string paymentToken)
    {
        var orders = new TableClient(connectionString, ordersTable);
        var queue = new QueueClient(connectionString, queueName, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        await orders.CreateIfNotExistsAsync();
        await queue.CreateIfNotExistsAsync();
        var accepted = Enumerable.Range(0, count).Select(i =>
        {
            var now = DateTimeOffset.UtcNow;
            var order = new Order { Id = OrderId.New(now), CustomerEmail = $"backlog{i}@example.com", PaymentToken = paymentToken, Lines = [line], CreatedAt = now, UpdatedAt = now };
            order.Record(new OrderStep(OrderSteps.Accept, now, 0, OrderSteps.Succeeded));
            return order;
        }).ToList();

        // Stored first, then queued in order: the oldest message is the oldest order, as the starter leaves them.
        await Parallel.ForEachAsync(accepted, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (order, ct) => await orders.AddEntityAsync(OrderStore.ToEntity(order), ct));
        foreach (var order in accepted)
        {
            await queue.SendMessageAsync(JsonSerializer.Serialize(new OrderMessage(order.Id), JobJson.Options));
        }

        return [.. accepted.Select(o => o.Id)];
    }
}
