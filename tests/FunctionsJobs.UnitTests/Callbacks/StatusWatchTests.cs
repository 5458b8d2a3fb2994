using FunctionsJobs.Core.Callbacks;
using Microsoft.Extensions.Time.Testing;

namespace FunctionsJobs.UnitTests.Callbacks;

/// <summary>The shared watcher on a clock the test moves: reads per interval, not per waiter.</summary>
public sealed class StatusWatchTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Fifty_waiters_on_one_resource_read_storage_once_per_second_between_them()
    {
        var time = new FakeTimeProvider();
        var store = new Store("Accepted");
        var watch = new StatusWatch<Record>(r => r.Status, r => r.Status == "Done", time);

        var waits = Enumerable.Range(0, 50).Select(_ => watch.WaitAsync("r1", store.ReadAsync, TimeSpan.FromSeconds(5), CancellationToken.None)).ToList();
        await EventuallyAsync(() => store.Reads == 1);
        for (var second = 1; second <= 5; second++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await EventuallyAsync(() => store.Reads >= Math.Min(second + 1, 5) || waits.All(w => w.IsCompleted));
        }

        var results = await Task.WhenAll(waits).WaitAsync(Patience);
        Assert.All(results, r => Assert.False(r.Changed));
        Assert.All(results, r => Assert.Equal("Accepted", r.Latest!.Status));
        Assert.InRange(store.Reads, 2, 6);
        Assert.Equal(0, watch.Count);
    }

    [Fact]
    public async Task A_change_read_by_the_watcher_wakes_every_waiter_with_the_new_state()
    {
        var time = new FakeTimeProvider();
        var store = new Store("Accepted");
        var watch = new StatusWatch<Record>(r => r.Status, r => r.Status == "Done", time);
        var waits = Enumerable.Range(0, 10).Select(_ => watch.WaitAsync("r1", store.ReadAsync, TimeSpan.FromSeconds(30), CancellationToken.None)).ToList();
        await EventuallyAsync(() => store.Reads == 1);

        store.Status = "Paid";
        time.Advance(TimeSpan.FromSeconds(1));

        var results = await Task.WhenAll(waits).WaitAsync(Patience);
        Assert.All(results, r => Assert.True(r.Changed));
        Assert.All(results, r => Assert.Equal("Paid", r.Latest!.Status));
        Assert.Equal(2, store.Reads);
    }

    [Fact]
    public async Task A_write_published_in_this_process_wakes_waiters_without_a_read_or_the_clock_moving()
    {
        var time = new FakeTimeProvider();
        var store = new Store("Processing");
        var watch = new StatusWatch<Record>(r => r.Status, r => r.Status == "Done", time);
        var wait = watch.WaitAsync("r1", store.ReadAsync, TimeSpan.FromSeconds(30), CancellationToken.None);
        await EventuallyAsync(() => store.Reads == 1);

        watch.Publish("r1", () => new Record("Done"));
        watch.Publish("unwatched", () => throw new InvalidOperationException("nobody watches this one: no snapshot is made"));

        var result = await wait.WaitAsync(Patience);
        Assert.True(result.Changed);
        Assert.Equal("Done", result.Latest!.Status);
        Assert.Equal(1, store.Reads);
    }

    [Fact]
    public async Task A_caller_counts_as_waiting_only_once_its_first_read_is_in_and_a_change_after_that_answers_it()
    {
        var time = new FakeTimeProvider();
        var firstRead = new TaskCompletionSource<Record?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var store = new Store("Accepted");
        var watch = new StatusWatch<Record>(r => r.Status, r => r.Status == "Done", time);
        var wait = watch.WaitAsync("r1", _ => store.Reads == 0 ? Count(store, firstRead.Task) : store.ReadAsync(CancellationToken.None), TimeSpan.FromSeconds(30), CancellationToken.None);

        // Its first read has not answered: a change stored now would be its starting state.
        Assert.Equal(1, watch.Count);
        Assert.Equal(0, watch.Waiting);

        firstRead.SetResult(new Record("Accepted"));
        await EventuallyAsync(() => watch.Waiting == 1);
        store.Status = "Paid";
        time.Advance(TimeSpan.FromSeconds(1));

        var result = await wait.WaitAsync(Patience);
        Assert.True(result.Changed);
        Assert.Equal("Paid", result.Latest!.Status);
        Assert.Equal(0, watch.Waiting);

        static Task<Record?> Count(Store store, Task<Record?> read)
        {
            store.CountRead();
            return read;
        }
    }

    [Fact]
    public async Task A_final_or_missing_resource_answers_at_once()
    {
        var watch = new StatusWatch<Record>(r => r.Status, r => r.Status == "Done", new FakeTimeProvider());

        var done = await watch.WaitAsync("r1", new Store("Done").ReadAsync, TimeSpan.FromSeconds(30), CancellationToken.None).WaitAsync(Patience);
        var missing = await watch.WaitAsync("r2", _ => Task.FromResult<Record?>(null), TimeSpan.FromSeconds(30), CancellationToken.None).WaitAsync(Patience);

        Assert.Equal("Done", done.Latest!.Status);
        Assert.Null(missing.Latest);
    }

    private static async Task EventuallyAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(Patience);
        while (!condition())
        {
            await Task.Delay(5, timeout.Token);
        }
    }

    private sealed record Record(string Status);

    private sealed class Store(string status)
    {
        private int _reads;

        public string Status { get; set; } = status;

        public int Reads => Volatile.Read(ref _reads);

        public void CountRead() => Interlocked.Increment(ref _reads);

        public Task<Record?> ReadAsync(CancellationToken cancellationToken)
        {
            CountRead();
            return Task.FromResult<Record?>(new Record(Status));
        }
    }
}
