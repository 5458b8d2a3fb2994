using Azure;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using FunctionsJobs.Core.Storage;

namespace FunctionsJobs.Core.Orders;

/// <summary>
/// The tables and the queue of the Orders job, created on first use (as Functions creates a
/// trigger's queue). A creation that failed, or a table that disappeared (an in-memory Azurite
/// restarted), is tried again on the next call rather than remembered.
/// </summary>
public sealed class OrdersStorage
{
    private readonly CreateOnce _created;

    public OrdersStorage(StorageAccount account, OrdersOptions options)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(options);
        Orders = account.Tables.GetTableClient(options.OrdersTableName);
        Inventory = account.Tables.GetTableClient(options.InventoryTableName);
        Payments = account.Tables.GetTableClient(options.PaymentsTableName);
        Outbox = account.Tables.GetTableClient(options.OutboxTableName);
        Queue = account.Queues.GetQueueClient(options.QueueName);
        _created = new CreateOnce(CreateAsync);
    }

    public TableClient Orders { get; }

    public TableClient Inventory { get; }

    public TableClient Payments { get; }

    public TableClient Outbox { get; }

    /// <summary>The orders queue, base64 as the Functions queue extension writes and reads.</summary>
    public QueueClient Queue { get; }

    public Task EnsureCreatedAsync(CancellationToken cancellationToken) => _created.EnsureAsync(cancellationToken);

    /// <summary>Runs <paramref name="operation"/>; a 404 for a missing table or queue makes the next call create them again.</summary>
    public Task<T> RunAsync<T>(Func<Task<T>> operation, CancellationToken cancellationToken) => _created.RunAsync(operation, cancellationToken);

    private async Task CreateAsync(CancellationToken cancellationToken)
    {
        await Task.WhenAll(
            Orders.CreateIfNotExistsAsync(cancellationToken),
            Inventory.CreateIfNotExistsAsync(cancellationToken),
            Payments.CreateIfNotExistsAsync(cancellationToken),
            Outbox.CreateIfNotExistsAsync(cancellationToken),
            Queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken)).ConfigureAwait(false);
    }
}
