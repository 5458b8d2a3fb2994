using System.Globalization;
using Azure.Data.Tables;
using FunctionsJobs.Core.Orders;

namespace FunctionsJobs.Testing;

/// <summary>
/// Orders of one day for the sales report's tests and benchmark: the same orders for the same seed,
/// every status, one to three lines of the sample SKUs, stored as the Orders job stores them.
/// </summary>
public static class OrderSeeder
{
    /// <summary>The orders, made one at a time (a benchmark seeds 100,000 without holding them).</summary>
    public static IEnumerable<Order> Generate(DateOnly day, int count, int seed)
    {
        var random = new Random(seed);
        var statuses = Enum.GetValues<OrderStatus>();
        var midnight = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        for (var i = 0; i < count; i++)
        {
            var idBytes = new byte[10];
            random.NextBytes(idBytes);
            var lines = Enumerable.Range(0, random.Next(1, 4)).Select(_ =>
            {
                var item = OrderCatalog.Samples[random.Next(OrderCatalog.Samples.Count)];
                return new OrderLine(item.Sku, random.Next(1, 6), item.UnitPriceCents);
            }).ToList();
            var createdAt = midnight.AddTicks((long)(random.NextDouble() * TimeSpan.TicksPerDay));
            yield return new Order
            {
                Id = string.Create(CultureInfo.InvariantCulture, $"{day:yyyyMMdd}-{Convert.ToHexStringLower(idBytes)}"),
                CustomerEmail = string.Create(CultureInfo.InvariantCulture, $"customer{i}@example.com"),
                PaymentToken = "tok_ok",
                Lines = lines,
                CreatedAt = createdAt,
                UpdatedAt = createdAt,
                Status = statuses[i % statuses.Length],
                History = [new OrderStep(OrderSteps.Accept, createdAt, 1, OrderSteps.Succeeded)],
            };
        }
    }

    /// <summary>Stores the orders with one entity-group transaction per 100 orders of a partition, several at a time.</summary>
    public static async Task SeedAsync(TableClient table, IEnumerable<Order> orders, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(table);
        await table.CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);
        var batches = Batches(orders);
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (batch, ct) =>
            await table.SubmitTransactionAsync(batch, ct).ConfigureAwait(false)).ConfigureAwait(false);
    }

    /// <summary>Full batches as soon as a partition has 100 orders, so only about 100 per partition are held at once.</summary>
    private static IEnumerable<List<TableTransactionAction>> Batches(IEnumerable<Order> orders)
    {
        var open = new Dictionary<string, List<TableTransactionAction>>(StringComparer.Ordinal);
        foreach (var order in orders)
        {
            var entity = OrderStore.ToEntity(order);
            if (!open.TryGetValue(entity.PartitionKey, out var batch))
            {
                open[entity.PartitionKey] = batch = new List<TableTransactionAction>(100);
            }

            batch.Add(new TableTransactionAction(TableTransactionActionType.Add, entity));
            if (batch.Count == 100)
            {
                open.Remove(entity.PartitionKey);
                yield return batch;
            }
        }

        foreach (var batch in open.Values)
        {
            yield return batch;
        }
    }
}
