namespace FunctionsJobs.Core.Callbacks;

/// <summary>What a long-poll saw: the resource's latest state (null if it does not exist) and whether its status changed while it waited.</summary>
public sealed record WatchResult<T>(T? Latest, bool Changed)
    where T : class;

/// <summary>
/// Long-polls of a status route share one watcher per resource: however many callers wait on an
/// order or an image, storage is read for it at most once per <see cref="PollInterval"/>, and a
/// waiting caller holds no thread (a task completed by the watcher). A writer in this process
/// publishes what it stored, which wakes the waiters at once; a change made by another process
/// is seen by the next read.
/// </summary>
/// <typeparam name="T">The stored record; <paramref name="statusOf"/> names its status, <paramref name="isFinal"/> says no change will follow.</typeparam>
public sealed class StatusWatch<T>(Func<T, string> statusOf, Func<T, bool> isFinal, TimeProvider time)
    where T : class
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    private readonly Dictionary<string, Watch> _watches = new(StringComparer.Ordinal);

    /// <summary>Resources being watched now (for tests and diagnostics).</summary>
    public int Count
    {
        get
        {
            lock (_watches)
            {
                return _watches.Count;
            }
        }
    }

    /// <summary>
    /// Callers waiting for a change now: past their first read, so a change stored from here on
    /// answers them (for tests and diagnostics; <see cref="Count"/> also counts callers still reading).
    /// </summary>
    public int Waiting
    {
        get
        {
            lock (_watches)
            {
                return _watches.Values.Sum(w => w.WaiterCount);
            }
        }
    }

    /// <summary>
    /// The state of <paramref name="id"/> as soon as its status differs from the status it had when
    /// this call began, or after <paramref name="wait"/> unchanged; at once if it does not exist or is final.
    /// </summary>
    /// <param name="read">Reads the resource from storage; the watcher calls it at most once per interval, for all waiters.</param>
    public async Task<WatchResult<T>> WaitAsync(string id, Func<CancellationToken, Task<T?>> read, TimeSpan wait, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(read);
        Watch watch;
        lock (_watches)
        {
            if (!_watches.TryGetValue(id, out watch!))
            {
                watch = new Watch(this, read);
                _watches[id] = watch;
            }

            watch.Users++;
        }

        try
        {
            var start = await watch.CurrentAsync(cancellationToken).ConfigureAwait(false);
            if (start is null || isFinal(start) || wait <= TimeSpan.Zero)
            {
                return new WatchResult<T>(start, false);
            }

            var changed = await watch.NextChangeAsync(statusOf(start), wait, cancellationToken).ConfigureAwait(false);
            return changed is null ? new WatchResult<T>(watch.Latest ?? start, false) : new WatchResult<T>(changed, true);
        }
        finally
        {
            lock (_watches)
            {
                if (--watch.Users == 0)
                {
                    _watches.Remove(id);
                    watch.Stop();
                }
            }
        }
    }

    /// <summary>A writer of this process stored <paramref name="id"/>: its waiters see the new state now, without a read.</summary>
    /// <param name="snapshot">Made only if someone watches, so an unwatched write costs a dictionary look-up.</param>
    public void Publish(string id, Func<T> snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        Watch? watch;
        lock (_watches)
        {
            _watches.TryGetValue(id, out watch);
        }

        watch?.Observe(snapshot());
    }

    private sealed class Watch(StatusWatch<T> owner, Func<CancellationToken, Task<T?>> read)
    {
        private readonly Lock _gate = new();
        private readonly List<(string Status, TaskCompletionSource<T> Signal)> _waiters = [];
        private readonly CancellationTokenSource _stop = new();
        private Task<T?>? _reading;
        private Task? _polling;
        private DateTimeOffset _readAt = DateTimeOffset.MinValue;

        public int Users { get; set; }

        public T? Latest { get; private set; }

        public int WaiterCount
        {
            get
            {
                lock (_gate)
                {
                    return _waiters.Count;
                }
            }
        }

        /// <summary>The state read within the last interval (by any caller), or a read made now and shared.</summary>
        public Task<T?> CurrentAsync(CancellationToken cancellationToken)
        {
            lock (_gate)
            {
                if (Latest is not null && owner.Now() - _readAt < PollInterval)
                {
                    return Task.FromResult<T?>(Latest);
                }

                return (_reading ?? StartRead()).WaitAsync(cancellationToken);
            }
        }

        public async Task<T?> NextChangeAsync(string status, TimeSpan wait, CancellationToken cancellationToken)
        {
            var signal = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_gate)
            {
                if (Latest is not null && owner.StatusOf(Latest) != status)
                {
                    return Latest;
                }

                _waiters.Add((status, signal));
                _polling ??= PollAsync();
            }

            try
            {
                return await signal.Task.WaitAsync(wait, owner.Time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                return null;
            }
            finally
            {
                lock (_gate)
                {
                    _waiters.RemoveAll(w => w.Signal == signal);
                }
            }
        }

        public void Observe(T state)
        {
            List<TaskCompletionSource<T>> woken;
            lock (_gate)
            {
                Latest = state;
                _readAt = owner.Now();
                var status = owner.StatusOf(state);
                woken = [.. _waiters.Where(w => w.Status != status).Select(w => w.Signal)];
            }

            foreach (var signal in woken)
            {
                signal.TrySetResult(state);
            }
        }

        // Not disposed: a read or the poll loop may still be looking at its token.
        public void Stop() => _stop.Cancel();

        /// <summary>Starts a read that later callers within it share; called under the gate.</summary>
        private Task<T?> StartRead()
        {
            var reading = ReadAsync();
            if (!reading.IsCompleted)
            {
                _reading = reading;
                _ = reading.ContinueWith(
                    done =>
                    {
                        lock (_gate)
                        {
                            if (_reading == done)
                            {
                                _reading = null;
                            }
                        }
                    },
                    CancellationToken.None,
                    TaskContinuationOptions.ExecuteSynchronously,
                    TaskScheduler.Default);
            }

            return reading;
        }

        private async Task<T?> ReadAsync()
        {
            try
            {
                var state = await read(_stop.Token).ConfigureAwait(false);
                if (state is not null)
                {
                    Observe(state);
                }

                return state;
            }
            finally
            {
                // Also after a failed or empty read: the next one waits its interval.
                lock (_gate)
                {
                    _readAt = owner.Now();
                }
            }
        }

        /// <summary>One read per interval while anybody waits for a change; ends with the watch.</summary>
        private async Task PollAsync()
        {
            var token = _stop.Token;
            try
            {
                while (!token.IsCancellationRequested)
                {
                    TimeSpan due;
                    lock (_gate)
                    {
                        due = _readAt + PollInterval - owner.Now();
                    }

                    if (due > TimeSpan.Zero)
                    {
                        await Task.Delay(due, owner.Time, token).ConfigureAwait(false);
                        continue;
                    }

                    try
                    {
                        Task<T?> reading;
                        lock (_gate)
                        {
                            reading = _reading ?? StartRead();
                        }

                        await reading.ConfigureAwait(false);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        // Storage failing: the waiters time out with what was read last; try again next interval.
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // The last waiter left.
            }
        }
    }

    private TimeProvider Time => time;

    private DateTimeOffset Now() => time.GetUtcNow();

    private string StatusOf(T state) => statusOf(state);
}
