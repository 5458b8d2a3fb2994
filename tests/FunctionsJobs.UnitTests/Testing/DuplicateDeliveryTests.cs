using FunctionsJobs.Core.Queues;
using FunctionsJobs.Testing;

namespace FunctionsJobs.UnitTests.Testing;

public sealed class DuplicateDeliveryTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task DeliverTwiceAsync_calls_the_handler_twice_with_the_same_message_id()
    {
        var handler = new RecordingHandler();
        var context = new QueueMessageContext("orders", "msg-1", 1, DateTimeOffset.UnixEpoch);

        await DuplicateDelivery.DeliverTwiceAsync(handler, "payload", context);

        Assert.Equal(2, handler.Calls.Count);
        Assert.All(handler.Calls, c => Assert.Equal("payload", c.Message));
        Assert.All(handler.Calls, c => Assert.Equal("msg-1", c.Context.MessageId));
        Assert.All(handler.Calls, c => Assert.Equal("orders", c.Context.QueueName));
        Assert.Equal([1L, 2L], handler.Calls.Select(c => c.Context.DequeueCount));
        Assert.Equal(1, handler.MaxConcurrency);
    }

    [Fact]
    public async Task DeliverTwiceAsync_continues_from_the_given_dequeue_count()
    {
        var handler = new RecordingHandler();
        var context = new QueueMessageContext("orders", "msg-2", 4, null);

        await DuplicateDelivery.DeliverTwiceAsync(handler, "payload", context);

        Assert.Equal([4L, 5L], handler.Calls.Select(c => c.Context.DequeueCount));
    }

    [Fact]
    public async Task DeliverTwiceAsync_without_context_makes_one_shared_id()
    {
        var handler = new RecordingHandler();

        await DuplicateDelivery.DeliverTwiceAsync(handler, "payload");

        Assert.Equal(2, handler.Calls.Count);
        Assert.False(string.IsNullOrEmpty(handler.Calls[0].Context.MessageId));
        Assert.Equal(handler.Calls[0].Context.MessageId, handler.Calls[1].Context.MessageId);
        Assert.Equal([1L, 2L], handler.Calls.Select(c => c.Context.DequeueCount));
    }

    [Fact]
    public async Task DeliverTwiceAsync_propagates_a_failure_of_the_first_delivery()
    {
        var handler = new RecordingHandler { FailFirst = true };

        await Assert.ThrowsAsync<InvalidOperationException>(() => DuplicateDelivery.DeliverTwiceAsync(handler, "payload"));

        Assert.Single(handler.Calls);
    }

    [Fact]
    public async Task DeliverRacingAsync_runs_both_deliveries_at_the_same_time()
    {
        // Each call waits until the other has started: run one after the other, the first call
        // would wait forever (here: until the timeout fails the test).
        var arrived = 0;
        var bothArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = new RecordingHandler();
        var second = new RecordingHandler();
        first.OnCall = second.OnCall = async () =>
        {
            if (Interlocked.Increment(ref arrived) == 2)
            {
                bothArrived.SetResult();
            }

            await bothArrived.Task.WaitAsync(Patience);
        };
        var context = new QueueMessageContext("orders", "msg-3", 2, null);

        await DuplicateDelivery.DeliverRacingAsync(first, second, "payload", context).WaitAsync(Patience * 2);

        Assert.Equal(2, arrived);
        var a = Assert.Single(first.Calls);
        var b = Assert.Single(second.Calls);
        Assert.Equal(context, a.Context);
        Assert.Equal(context, b.Context);
        Assert.Equal("payload", a.Message);
        Assert.Equal("payload", b.Message);
    }

    [Fact]
    public async Task DeliverRacingAsync_surfaces_a_failure_of_either_delivery()
    {
        var good = new RecordingHandler();
        var bad = new RecordingHandler { FailFirst = true };

        await Assert.ThrowsAsync<InvalidOperationException>(() => DuplicateDelivery.DeliverRacingAsync(good, bad, "payload"));

        Assert.Single(good.Calls);
        Assert.Single(bad.Calls);
    }

    [Fact]
    public async Task DeliverEveryMessageTwice_hands_each_delivery_to_the_inner_handler_twice()
    {
        var inner = new RecordingHandler();
        var wrapper = new DeliverEveryMessageTwice<string>(inner);
        var context = new QueueMessageContext("orders", "msg-4", 3, null);

        await wrapper.HandleAsync("payload", context, CancellationToken.None);

        Assert.Equal(2, inner.Calls.Count);
        Assert.All(inner.Calls, c => Assert.Equal("msg-4", c.Context.MessageId));
        Assert.Equal([3L, 4L], inner.Calls.Select(c => c.Context.DequeueCount));
        Assert.Equal(1, inner.MaxConcurrency);
    }

    [Fact]
    public void NewContext_is_a_first_delivery_with_a_fresh_id()
    {
        var a = DuplicateDelivery.NewContext();
        var b = DuplicateDelivery.NewContext("images");

        Assert.Equal("test-queue", a.QueueName);
        Assert.Equal("images", b.QueueName);
        Assert.Equal(1, a.DequeueCount);
        Assert.NotEqual(a.MessageId, b.MessageId);
    }

    private sealed class RecordingHandler : IQueueHandler<string>
    {
        private readonly Lock _gate = new();
        private int _running;

        public List<(string Message, QueueMessageContext Context)> Calls { get; } = [];

        public int MaxConcurrency { get; private set; }

        public bool FailFirst { get; init; }

        public Func<Task>? OnCall { get; set; }

        public async Task HandleAsync(string message, QueueMessageContext context, CancellationToken cancellationToken)
        {
            bool fail;
            lock (_gate)
            {
                Calls.Add((message, context));
                fail = FailFirst && Calls.Count == 1;
                _running++;
                MaxConcurrency = Math.Max(MaxConcurrency, _running);
            }

            try
            {
                await Task.Yield();
                if (OnCall is not null)
                {
                    await OnCall();
                }

                if (fail)
                {
                    throw new InvalidOperationException("first delivery fails");
                }
            }
            finally
            {
                lock (_gate)
                {
                    _running--;
                }
            }
        }
    }
}
