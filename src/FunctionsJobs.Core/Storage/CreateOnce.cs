using Azure;

namespace FunctionsJobs.Core.Storage;

/// <summary>
/// Creates a storage resource (container, table, queue) on first use and remembers success only:
/// a creation that failed (storage down) is tried again by the next caller.
/// </summary>
public sealed class CreateOnce(Func<CancellationToken, Task> create)
{
    private Task? _created;

    public async Task EnsureAsync(CancellationToken cancellationToken)
    {
        var task = Volatile.Read(ref _created);
        if (task is null)
        {
            var mine = create(cancellationToken);
            task = Interlocked.CompareExchange(ref _created, mine, null) ?? mine;
        }

        try
        {
            await task.ConfigureAwait(false);
        }
        catch
        {
            _ = Interlocked.CompareExchange(ref _created, null, task);
            throw;
        }
    }

    /// <summary>Forgets that the resource exists, e.g. after a 404 says an emulator came back empty.</summary>
    public void Reset() => Volatile.Write(ref _created, null);

    /// <summary>
    /// Runs <paramref name="operation"/> once the resource exists; a 404 saying it is gone (a wiped
    /// store, an emulator come back empty) makes the next call create it again.
    /// </summary>
    public async Task<T> RunAsync<T>(Func<Task<T>> operation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        await EnsureAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await operation().ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.ErrorCode is "TableNotFound" or "QueueNotFound" or "ContainerNotFound")
        {
            Reset();
            throw;
        }
    }
}
