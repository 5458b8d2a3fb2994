using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using FunctionsJobs.Core.Queues;
using FunctionsJobs.Core.Retention;
using FunctionsJobs.Core.Scheduling;
using FunctionsJobs.Core.Storage;

namespace FunctionsJobs.Core.Callbacks;

/// <summary>An event given up on, as <c>GET /admin/callbacks/dead-letters</c> shows it.</summary>
public sealed record DeadLetter(string EventId, string Type, string ResourceId, string Target, int Attempts, DateTimeOffset OccurredAt, DateTimeOffset DeadLetteredAt, string Reason);

/// <summary>
/// Events whose tries ran past <see cref="CallbackSettings.MaxAge"/> or could never succeed, one row
/// each (PartitionKey <c>dead-letter</c>, RowKey = event id) in the dead-letters table, with the
/// message that would try them again. Duplicates of one event share the row.
/// </summary>
public sealed class CallbackDeadLetters
{
    private const string Partition = "dead-letter";
    private readonly TableClient _table;
    private readonly CreateOnce _created;

    public CallbackDeadLetters(StorageAccount storage, CallbackSettings settings)
    {
        ArgumentNullException.ThrowIfNull(storage);
        _table = storage.Tables.GetTableClient(settings.DeadLettersTable);
        _created = new CreateOnce(ct => _table.CreateIfNotExistsAsync(ct));
    }

    public async Task AddAsync(CallbackMessage message, string reason, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        await _created.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var row = new TableEntity(Partition, message.Event.Id)
        {
            ["Type"] = message.Event.Type,
            ["ResourceId"] = message.Resource.Id,
            ["Target"] = message.Target.Describe(),
            ["Attempts"] = message.Attempt,
            ["OccurredAt"] = message.Event.Timestamp,
            ["DeadLetteredAt"] = at,
            ["Reason"] = reason.Length > 1024 ? reason[..1024] : reason,
            ["Message"] = CallbackOutbox.Serialize(message),
        };
        await _table.UpsertEntityAsync(row, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>At most <paramref name="max"/> dead letters, the most recent first.</summary>
    public async Task<IReadOnlyList<DeadLetter>> ListAsync(int max, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var rows = new List<DeadLetter>();
        await foreach (var row in _table.QueryAsync<TableEntity>(e => e.PartitionKey == Partition, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            rows.Add(new DeadLetter(
                row.RowKey, row.GetString("Type") ?? string.Empty, row.GetString("ResourceId") ?? string.Empty, row.GetString("Target") ?? string.Empty,
                row.GetInt32("Attempts") ?? 0, row.GetDateTimeOffset("OccurredAt") ?? default, row.GetDateTimeOffset("DeadLetteredAt") ?? default, row.GetString("Reason") ?? string.Empty));
        }

        return [.. rows.OrderByDescending(r => r.DeadLetteredAt).Take(max)];
    }

    /// <summary>The dead letter's message and the row's ETag, or null when there is no such event.</summary>
    public async Task<(CallbackMessage Message, ETag ETag)?> GetAsync(string eventId, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var response = await _table.GetEntityIfExistsAsync<TableEntity>(Partition, eventId, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!response.HasValue || response.Value!.GetString("Message") is not { } json)
        {
            return null;
        }

        return (JsonSerializer.Deserialize<CallbackMessage>(json, JobJson.Options)!, response.Value.ETag);
    }

    /// <summary>Removes a dead letter if it is still as read; false when another replay took it first.</summary>
    public async Task<bool> TryRemoveAsync(string eventId, ETag eTag, CancellationToken cancellationToken)
    {
        try
        {
            await _table.DeleteEntityAsync(Partition, eventId, eTag, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            return false;
        }
    }

    /// <summary>Deletes the dead letters given up on before <paramref name="before"/>; a replay racing it keeps its row or finds none.</summary>
    public async Task<long> PurgeAsync(DateTimeOffset before, JobProgress progress, CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Partition} and DeadLetteredAt lt {before}");
        return await RetentionTables.DeleteMatchingAsync(_table, filter, progress, cancellationToken).ConfigureAwait(false);
    }
}
