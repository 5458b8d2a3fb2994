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
public sealed class OrdersStorage(StorageAccount account, OrdersOptions options)
{
    private readonly Lock _gate = new();
    private Task? _created;

    public TableClient Orders { get; } = account.Tables.GetTableClient(options.OrdersTableName);

    public TableClient Inventory { get; } = account.Tables.GetTableClient(options.InventoryTableName);

    public TableClient Payments { get; } = account.Tables.GetTableClient(options.PaymentsTableName);

    public TableClient Outbox { get; } = account.Tables.GetTableClient(options.OutboxTableName);

    /// <summary>The orders queue, base64 as the Functions queue extension writes and reads.</summary>
    public QueueClient Queue { get; } = account.Queues.GetQueueClient(options.QueueName);

    public async Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        Task created;
        lock (_gate)
        {
            created = _created ??= CreateAsync(cancellationToken);
        }

        try
        {
            await created.ConfigureAwait(false);
        }
        catch
        {
            Forget(created);
            throw;
        }
    }

    /// <summary>Runs <paramref name="operation"/>; a 404 for a missing table or queue makes the next call create them again.</summary>
    public async Task<T> RunAsync<T>(Func<Task<T>> operation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        await EnsureCreatedAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await operation().ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.ErrorCode is "TableNotFound" or "QueueNotFound")
        {
            lock (_gate)
            {
                _created = null;
            }

            throw;
        }
    }

    private void Forget(Task created)
    {
        lock (_gate)
        {
            if (ReferenceEquals(_created, created))
            {
                _created = null;
            }
        }
    }

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
