namespace FunctionsJobs.Core.Orders;

/// <summary>
/// One writer per SKU at a time in this process: the reservations and releases of a hot SKU wait
/// for each other instead of racing for its stock row's ETag. A SKU's turn exists only while
/// somebody holds or waits for it, so the map stays as small as the work in flight.
/// </summary>
internal sealed class SkuTurns
{
    private readonly Dictionary<string, Turn> _turns = new(StringComparer.Ordinal);

    public async Task<IDisposable> EnterAsync(string sku, CancellationToken cancellationToken)
    {
        Turn turn;
        lock (_turns)
        {
            if (!_turns.TryGetValue(sku, out turn!))
            {
                _turns[sku] = turn = new Turn(sku);
            }

            turn.Users++;
        }

        try
        {
            await turn.Semaphore.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Leave(turn);
            throw;
        }

        return new Held(this, turn);
    }

    private void Leave(Turn turn)
    {
        lock (_turns)
        {
            if (--turn.Users == 0)
            {
                _turns.Remove(turn.Sku);
            }
        }
    }

    private sealed class Turn(string sku)
    {
        public string Sku { get; } = sku;

        /// <summary>Holders and waiters; guarded by the owner's lock.</summary>
        public int Users { get; set; }

        // Never disposed: no wait handle is ever asked of it, so there is nothing to free.
        public SemaphoreSlim Semaphore { get; } = new(1, 1);
    }

    private sealed class Held(SkuTurns owner, Turn turn) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                turn.Semaphore.Release();
                owner.Leave(turn);
            }
        }
    }
}
