using Azure;
using Azure.Data.Tables;

namespace FunctionsJobs.Core.Orders;

public enum ReservationOutcome
{
    /// <summary>This call reserved the line.</summary>
    Reserved,

    /// <summary>An earlier delivery of the same order reserved it: nothing more to do.</summary>
    AlreadyReserved,

    /// <summary>The order's line was released (or blocked) by compensation: the order must not go on.</summary>
    Released,

    /// <summary>Not enough stock.</summary>
    Insufficient,

    /// <summary>The SKU is not in the Inventory table.</summary>
    UnknownSku,
}

public sealed record Reservation(ReservationOutcome Outcome, int Available = 0);

/// <summary>
/// Stock and reservations in the Inventory table. Each SKU is one partition: the stock row
/// (RowKey <c>stock</c>: Available, UnitPriceCents, Name) and one reservation row per order that
/// touched it (RowKey <c>reservation-{orderId}</c>: Quantity, State). Reserving and releasing each
/// change both rows in one entity-group transaction, conditional on the stock row's ETag, so stock
/// and reservations can never disagree. A reservation row is never deleted: a released one stays
/// as a tombstone, so a late or racing delivery can not reserve the line of a compensated order again.
/// <para>
/// Many orders for one SKU at once all write its stock row. Within a process they take turns
/// (<see cref="SkuTurns"/>), so they do not lose ETag races to each other, each costing a read
/// and a write for nothing; across processes they still race, one contender per process. A lost
/// race is retried for as long as it takes, never counted against the order: the stock row's ETag
/// changes only when another reservation or release succeeded, so every conflict is somebody's
/// progress and the retries end.
/// </para>
/// </summary>
public sealed class InventoryStore(OrdersStorage storage, TimeProvider time)
{
    public const string StockRowKey = "stock";
    private const string Reserved = "Reserved";
    private const string ReleasedState = "Released";

    private readonly SkuTurns _turns = new();

    public static string ReservationRowKey(string orderId) => $"reservation-{orderId}";

    public async Task<CatalogItem?> GetItemAsync(string sku, CancellationToken cancellationToken)
    {
        var stock = await GetAsync(sku, StockRowKey, cancellationToken).ConfigureAwait(false);
        return stock is null ? null : ToItem(stock);
    }

    /// <summary>Adds a SKU unless it exists; true if this call added it.</summary>
    public Task<bool> TryAddItemAsync(CatalogItem item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        return storage.RunAsync(
            async () =>
            {
                try
                {
                    await storage.Inventory.AddEntityAsync(
                        new TableEntity(item.Sku, StockRowKey) { ["Name"] = item.Name, ["UnitPriceCents"] = item.UnitPriceCents, ["Available"] = item.Available },
                        cancellationToken).ConfigureAwait(false);
                    return true;
                }
                catch (RequestFailedException ex) when (ex.Status == 409)
                {
                    return false;
                }
            },
            cancellationToken);
    }

    /// <summary>Reserves one line of an order, at most once per order and SKU, ever.</summary>
    public async Task<Reservation> ReserveAsync(string orderId, OrderLine line, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(line);
        using var turn = await _turns.EnterAsync(line.Sku, cancellationToken).ConfigureAwait(false);
        for (var conflicts = 0; ; conflicts++)
        {
            var stock = await GetAsync(line.Sku, StockRowKey, cancellationToken).ConfigureAwait(false);
            if (stock is null)
            {
                return new Reservation(ReservationOutcome.UnknownSku);
            }

            var available = stock.GetInt32("Available") ?? 0;
            if (available < line.Quantity)
            {
                // Maybe this order reserved it on an earlier delivery and the rest was sold since.
                var existing = await GetAsync(line.Sku, ReservationRowKey(orderId), cancellationToken).ConfigureAwait(false);
                return existing is null ? new Reservation(ReservationOutcome.Insufficient, available) : Existing(existing);
            }

            stock["Available"] = available - line.Quantity;
            var reservation = new TableEntity(line.Sku, ReservationRowKey(orderId))
            {
                ["OrderId"] = orderId,
                ["Quantity"] = line.Quantity,
                ["State"] = Reserved,
                ["ChangedAt"] = time.GetUtcNow(),
            };
            var failed = await SubmitAsync([new(TableTransactionActionType.UpdateReplace, stock, stock.ETag), new(TableTransactionActionType.Add, reservation)], cancellationToken).ConfigureAwait(false);
            switch (failed)
            {
                case null:
                    return new Reservation(ReservationOutcome.Reserved);
                case 1:
                    var existing = await GetAsync(line.Sku, ReservationRowKey(orderId), cancellationToken).ConfigureAwait(false);
                    if (existing is not null)
                    {
                        return Existing(existing);
                    }

                    break;
            }

            await BackOffAsync(conflicts, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Gives back what the order holds of one SKU, and blocks the line for good if it was never
    /// reserved. True if stock went back by this call.
    /// </summary>
    public async Task<bool> ReleaseAsync(string orderId, string sku, CancellationToken cancellationToken)
    {
        using var turn = await _turns.EnterAsync(sku, cancellationToken).ConfigureAwait(false);
        for (var conflicts = 0; ; conflicts++)
        {
            var reservation = await GetAsync(sku, ReservationRowKey(orderId), cancellationToken).ConfigureAwait(false);
            if (reservation is null)
            {
                var tombstone = new TableEntity(sku, ReservationRowKey(orderId)) { ["OrderId"] = orderId, ["Quantity"] = 0, ["State"] = ReleasedState, ["ChangedAt"] = time.GetUtcNow() };
                try
                {
                    await storage.RunAsync(() => storage.Inventory.AddEntityAsync(tombstone, cancellationToken), cancellationToken).ConfigureAwait(false);
                    return false;
                }
                catch (RequestFailedException ex) when (ex.Status == 409)
                {
                    // A racing delivery reserved it a moment ago: release that reservation instead.
                    continue;
                }
            }

            if (reservation.GetString("State") == ReleasedState)
            {
                return false;
            }

            var stock = await GetAsync(sku, StockRowKey, cancellationToken).ConfigureAwait(false);
            if (stock is null)
            {
                // The SKU was removed from the catalogue: there is no stock to give back.
                return false;
            }

            stock["Available"] = (stock.GetInt32("Available") ?? 0) + (reservation.GetInt32("Quantity") ?? 0);
            reservation["State"] = ReleasedState;
            reservation["ChangedAt"] = time.GetUtcNow();
            var failed = await SubmitAsync([new(TableTransactionActionType.UpdateReplace, stock, stock.ETag), new(TableTransactionActionType.UpdateReplace, reservation, reservation.ETag)], cancellationToken).ConfigureAwait(false);
            if (failed is null)
            {
                return true;
            }

            await BackOffAsync(conflicts, cancellationToken).ConfigureAwait(false);
        }
    }

    private static Reservation Existing(TableEntity reservation) =>
        new(reservation.GetString("State") == ReleasedState ? ReservationOutcome.Released : ReservationOutcome.AlreadyReserved);

    private static CatalogItem ToItem(TableEntity stock) =>
        new(stock.PartitionKey, stock.GetString("Name") ?? stock.PartitionKey, stock.GetInt64("UnitPriceCents") ?? 0, stock.GetInt32("Available") ?? 0);

    private Task<TableEntity?> GetAsync(string partitionKey, string rowKey, CancellationToken cancellationToken) =>
        storage.RunAsync(
            async () =>
            {
                var response = await storage.Inventory.GetEntityIfExistsAsync<TableEntity>(partitionKey, rowKey, cancellationToken: cancellationToken).ConfigureAwait(false);
                return response.HasValue ? response.Value : null;
            },
            cancellationToken);

    /// <summary>Submits the transaction; null on success, else the index of the action that failed on a 409 or 412.</summary>
    private Task<int?> SubmitAsync(TableTransactionAction[] actions, CancellationToken cancellationToken) =>
        storage.RunAsync(
            async () =>
            {
                try
                {
                    await storage.Inventory.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false);
                    return (int?)null;
                }
                catch (TableTransactionFailedException ex) when (ex.Status is 409 or 412)
                {
                    return ex.FailedTransactionActionIndex ?? 0;
                }
            },
            cancellationToken);

    /// <summary>
    /// A short random pause, so the processes racing for a row do not collide again in lockstep. Kept
    /// short: a long pause would only hand the row to the other process's next order, again and again.
    /// </summary>
    private Task BackOffAsync(int conflicts, CancellationToken cancellationToken) =>
        Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(0, 2 + (Math.Min(conflicts, 5) * 2))), time, cancellationToken);
}
