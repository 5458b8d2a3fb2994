using System.Runtime.CompilerServices;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using FunctionsJobs.Core.Callbacks;
using FunctionsJobs.Core.Queues;
using FunctionsJobs.Core.Storage;

namespace FunctionsJobs.Core.Orders;

/// <summary>
/// Order records in the Orders table (<see cref="OrderPartitions"/> for the keys). Lines and history
/// are JSON in one property each, so one point read returns the whole order and one conditional
/// replace checkpoints it. A new order is also indexed in <see cref="RecentItems"/>, for "the latest
/// orders"; each stored checkpoint is published to the long-polls watching the order.
/// </summary>
public sealed class OrderStore(OrdersStorage storage, RecentItems recent, StatusWatch<Order>? watch = null)
{
    private static readonly string[] TerminalStatuses = [nameof(OrderStatus.Completed), nameof(OrderStatus.Rejected), nameof(OrderStatus.Failed)];

    public async Task CreateAsync(Order order, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(order);
        await storage.RunAsync(
            async () =>
            {
                var response = await storage.Orders.AddEntityAsync(ToEntity(order), cancellationToken).ConfigureAwait(false);
                order.ETag = response.Headers.ETag ?? default;
                return true;
            },
            cancellationToken).ConfigureAwait(false);
        await recent.TryAddAsync(RecentItems.Orders, order.Id, order.CreatedAt, cancellationToken).ConfigureAwait(false);
    }

    public Task<Order?> GetAsync(string orderId, CancellationToken cancellationToken) =>
        storage.RunAsync(
            async () =>
            {
                var response = await storage.Orders.GetEntityIfExistsAsync<TableEntity>(OrderPartitions.PartitionKeyOf(orderId), orderId, cancellationToken: cancellationToken).ConfigureAwait(false);
                return response.HasValue ? FromEntity(response.Value!) : null;
            },
            cancellationToken);

    /// <summary>Writes the order if nobody changed it since it was read; false if somebody did.</summary>
    public Task<bool> TryReplaceAsync(Order order, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(order);
        return storage.RunAsync(
            async () =>
            {
                try
                {
                    var entity = ToEntity(order);
                    var response = await storage.Orders.UpdateEntityAsync(entity, order.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
                    order.ETag = response.Headers.ETag ?? default;

                    // A copy: the workflow goes on changing its order while a waiter serializes this one.
                    watch?.Publish(order.Id, () => FromEntity(entity));
                    return true;
                }
                catch (RequestFailedException ex) when (ex.Status == 412)
                {
                    return false;
                }
            },
            cancellationToken);
    }

    /// <summary>
    /// The orders accepted on <paramref name="day"/> that are not terminal and unchanged since before
    /// <paramref name="updatedBefore"/>. The filter runs in the table service: the day's partitions
    /// are scanned there, and only the (few) stuck orders travel.
    /// </summary>
    public async IAsyncEnumerable<Order> ListStuckAsync(DateOnly day, DateTimeOffset updatedBefore, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var filter = $"{OrderPartitions.DayFilter(day)} and {TableClient.CreateQueryFilter($"UpdatedAt lt {updatedBefore}")}"
            + string.Concat(TerminalStatuses.Select(status => TableClient.CreateQueryFilter($" and Status ne {status}")));
        await storage.EnsureCreatedAsync(cancellationToken).ConfigureAwait(false);
        await foreach (var entity in storage.Orders.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            yield return FromEntity(entity);
        }
    }

    /// <summary>Removes an order that was never dispatched, so nothing processes it later.</summary>
    public async Task DeleteAsync(Order order, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(order);
        try
        {
            await storage.Orders.DeleteEntityAsync(OrderPartitions.PartitionKeyOf(order.Id), order.Id, order.ETag, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            // Gone already, or a workflow took it up: either way it is no longer ours to remove.
        }
    }

    public static TableEntity ToEntity(Order order) => new(OrderPartitions.PartitionKeyOf(order.Id), order.Id)
    {
        ["Status"] = order.Status.ToString(),
        ["EndsAs"] = order.EndsAs?.ToString(),
        ["Reason"] = order.Reason,
        ["CustomerEmail"] = order.CustomerEmail,
        ["PaymentToken"] = order.PaymentToken,
        ["Lines"] = JsonSerializer.Serialize(order.Lines, JobJson.Options),
        ["LineCount"] = order.Lines.Count,
        ["TotalCents"] = order.TotalCents,
        ["Currency"] = order.Currency,
        ["ChargeId"] = order.ChargeId,
        ["CreatedAt"] = order.CreatedAt,
        ["UpdatedAt"] = order.UpdatedAt,
        ["History"] = JsonSerializer.Serialize(order.History, JobJson.Options),
        ["Callback"] = order.Callback is null ? null : JsonSerializer.Serialize(order.Callback, JobJson.Options),
    };

    /// <summary>An order from a row of the Orders table, for readers that query many (a day's report).</summary>
    public static Order FromEntity(TableEntity entity) => new()
    {
        Id = entity.RowKey,
        Status = Enum.Parse<OrderStatus>(entity.GetString("Status")),
        EndsAs = entity.GetString("EndsAs") is { } endsAs ? Enum.Parse<OrderStatus>(endsAs) : null,
        Reason = entity.GetString("Reason"),
        CustomerEmail = entity.GetString("CustomerEmail"),
        PaymentToken = entity.GetString("PaymentToken"),
        Lines = JsonSerializer.Deserialize<List<OrderLine>>(entity.GetString("Lines"), JobJson.Options) ?? [],
        Currency = entity.GetString("Currency") ?? OrderCatalog.Currency,
        ChargeId = entity.GetString("ChargeId"),
        CreatedAt = entity.GetDateTimeOffset("CreatedAt") ?? default,
        UpdatedAt = entity.GetDateTimeOffset("UpdatedAt") ?? default,
        History = JsonSerializer.Deserialize<List<OrderStep>>(entity.GetString("History") ?? "[]", JobJson.Options) ?? [],
        Callback = entity.GetString("Callback") is { } callback ? JsonSerializer.Deserialize<CallbackTarget>(callback, JobJson.Options) : null,
        ETag = entity.ETag,
    };
}
