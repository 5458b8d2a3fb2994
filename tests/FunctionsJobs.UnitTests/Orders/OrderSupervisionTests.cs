using FunctionsJobs.Core.Orders;
using FunctionsJobs.Core.Settings;
using Microsoft.Extensions.Time.Testing;

namespace FunctionsJobs.UnitTests.Orders;

/// <summary>The order supervisor's decisions: stuck or not, dispatch again or compensate.</summary>
public sealed class OrderSupervisionTests
{
    private static readonly OrderSupervisorOptions Options = new() { StuckAfter = TimeSpan.FromMinutes(5), MaxRedispatches = 2, LookbackDays = 2 };
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 23, 0, 3, 0, TimeSpan.Zero));

    [Theory]
    [InlineData(OrderStatus.Accepted)]
    [InlineData(OrderStatus.StockReserved)]
    [InlineData(OrderStatus.Paid)]
    public void A_non_terminal_order_unchanged_for_longer_than_the_threshold_is_dispatched_again(OrderStatus status)
    {
        var order = NewOrder(status);
        _time.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));

        var decision = OrderSupervision.Decide(order, _time.GetUtcNow(), Options);

        Assert.Equal(SupervisionAction.Redispatch, decision.Action);
        Assert.Equal(0, decision.Redispatches);
        Assert.Equal($"stuck in {status} since 2026-11-23 00:03:00Z; dispatched again (1 of 2)", decision.Reason);
    }

    [Fact]
    public void An_order_changed_within_the_threshold_is_left_to_its_delivery()
    {
        var order = NewOrder(OrderStatus.Paid);
        _time.Advance(TimeSpan.FromMinutes(5));

        Assert.False(OrderSupervision.IsStuck(order, _time.GetUtcNow(), Options));
        Assert.Equal(SupervisionAction.Leave, OrderSupervision.Decide(order, _time.GetUtcNow(), Options).Action);

        _time.Advance(TimeSpan.FromTicks(1));
        Assert.True(OrderSupervision.IsStuck(order, _time.GetUtcNow(), Options));
    }

    [Theory]
    [InlineData(OrderStatus.Completed)]
    [InlineData(OrderStatus.Rejected)]
    [InlineData(OrderStatus.Failed)]
    public void A_terminal_order_is_never_touched_however_old(OrderStatus status)
    {
        var order = NewOrder(status);
        _time.Advance(TimeSpan.FromDays(3));

        Assert.False(OrderSupervision.IsStuck(order, _time.GetUtcNow(), Options));
        Assert.Equal(SupervisionAction.Leave, OrderSupervision.Decide(order, _time.GetUtcNow(), Options).Action);
    }

    [Fact]
    public void After_its_last_re_dispatch_a_stuck_order_is_compensated()
    {
        var order = NewOrder(OrderStatus.StockReserved);
        for (var i = 0; i < Options.MaxRedispatches; i++)
        {
            _time.Advance(TimeSpan.FromMinutes(6));
            var decision = OrderSupervision.Decide(order, _time.GetUtcNow(), Options);
            Assert.Equal(SupervisionAction.Redispatch, decision.Action);
            order.Record(new OrderStep(OrderSteps.Supervise, _time.GetUtcNow(), 0, OrderSteps.Redispatched, decision.Reason));
            order.UpdatedAt = _time.GetUtcNow();
        }

        _time.Advance(TimeSpan.FromMinutes(6));
        var last = OrderSupervision.Decide(order, _time.GetUtcNow(), Options);

        Assert.Equal(SupervisionAction.Compensate, last.Action);
        Assert.Equal(2, last.Redispatches);
        Assert.Equal("stuck in StockReserved since 2026-11-23 00:15:00Z after 2 re-dispatches; compensated by the order supervisor", last.Reason);
    }

    [Fact]
    public void No_re_dispatches_allowed_means_compensating_at_once()
    {
        var order = NewOrder(OrderStatus.Paid);
        _time.Advance(TimeSpan.FromMinutes(6));

        Assert.Equal(SupervisionAction.Compensate, OrderSupervision.Decide(order, _time.GetUtcNow(), Options with { MaxRedispatches = 0 }).Action);
    }

    [Fact]
    public void An_order_whose_last_delivery_started_but_never_finished_is_compensated_not_dispatched_again()
    {
        var order = NewOrder(OrderStatus.Paid);
        order.Record(new OrderStep(OrderSteps.LastDelivery, _time.GetUtcNow(), 5, OrderSteps.Started, "attempt 5 of 5"));
        _time.Advance(TimeSpan.FromMinutes(6));

        var decision = OrderSupervision.Decide(order, _time.GetUtcNow(), Options);

        Assert.Equal(SupervisionAction.Compensate, decision.Action);
        Assert.StartsWith("the last delivery (attempt 5 of 5) did not finish; stuck in Paid since", decision.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(OrderStatus.Paid, OrderStatus.Failed)]
    [InlineData(OrderStatus.Compensated, OrderStatus.Rejected)]
    public void An_order_stuck_in_compensation_is_compensated_to_the_end(OrderStatus status, OrderStatus endsAs)
    {
        var order = NewOrder(status);
        order.EndsAs = endsAs;
        _time.Advance(TimeSpan.FromMinutes(6));

        Assert.Equal(SupervisionAction.Compensate, OrderSupervision.Decide(order, _time.GetUtcNow(), Options).Action);
    }

    [Theory]
    [InlineData(-60, SupervisionAction.Leave)]
    [InlineData(0, SupervisionAction.Leave)]
    [InlineData(5 * 60, SupervisionAction.Leave)]
    [InlineData((5 * 60) + 1, SupervisionAction.Redispatch)]
    [InlineData(null, SupervisionAction.Redispatch)]
    public void An_order_whose_message_may_still_wait_in_the_queue_is_left_until_the_queue_moved_past_it(int? headSentSecondsAfterOrder, SupervisionAction expected)
    {
        var order = NewOrder(OrderStatus.Accepted);
        DateTimeOffset? head = headSentSecondsAfterOrder is { } seconds ? order.UpdatedAt.AddSeconds(seconds) : null;
        _time.Advance(TimeSpan.FromHours(2));

        var decision = OrderSupervision.Decide(order, _time.GetUtcNow(), Options, head);

        Assert.Equal(expected, decision.Action);
        if (expected == SupervisionAction.Leave)
        {
            Assert.Contains("waiting in the orders queue", decision.Reason, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Waiting_in_the_queue_never_saves_an_order_whose_last_delivery_died_or_whose_compensation_began()
    {
        var lastDelivery = NewOrder(OrderStatus.Paid);
        lastDelivery.Record(new OrderStep(OrderSteps.LastDelivery, _time.GetUtcNow(), 5, OrderSteps.Started, "attempt 5 of 5"));
        var compensating = NewOrder(OrderStatus.StockReserved);
        compensating.EndsAs = OrderStatus.Failed;
        var usedUp = NewOrder(OrderStatus.Paid);
        usedUp.Record(new OrderStep(OrderSteps.Supervise, _time.GetUtcNow(), 0, OrderSteps.Redispatched));
        usedUp.Record(new OrderStep(OrderSteps.Supervise, _time.GetUtcNow(), 0, OrderSteps.Redispatched));
        var head = _time.GetUtcNow();
        _time.Advance(TimeSpan.FromMinutes(6));

        Assert.Equal(SupervisionAction.Compensate, OrderSupervision.Decide(lastDelivery, _time.GetUtcNow(), Options, head).Action);
        Assert.Equal(SupervisionAction.Compensate, OrderSupervision.Decide(compensating, _time.GetUtcNow(), Options, head).Action);

        // Out of re-dispatches, but its message may be waiting: it is not given up on for a long queue.
        Assert.Equal(SupervisionAction.Leave, OrderSupervision.Decide(usedUp, _time.GetUtcNow(), Options, head).Action);
    }

    [Fact]
    public void A_pass_reads_today_and_the_lookback_days_before_it_in_utc()
    {
        var late = new DateTimeOffset(2026, 11, 23, 0, 30, 0, TimeSpan.FromHours(2));

        Assert.Equal([new DateOnly(2026, 11, 22), new DateOnly(2026, 11, 21)], OrderSupervision.DaysToRead(late, Options));
        Assert.Equal([new DateOnly(2026, 11, 23)], OrderSupervision.DaysToRead(_time.GetUtcNow(), Options with { LookbackDays = 1 }));
    }

    [Fact]
    public void Settings_have_defaults_and_bad_values_are_named_in_one_line()
    {
        var defaults = OrderSupervisorOptions.FromConfiguration(TestConfig.From());
        Assert.Equal((TimeSpan.FromMinutes(5), 3, 2), (defaults.StuckAfter, defaults.MaxRedispatches, defaults.LookbackDays));

        Assert.Equal(
            "setting 'OrderSupervisorStuckAfter' must be at least 00:01:00, not '00:00:10'",
            Assert.Throws<InvalidSettingException>(() => OrderSupervisorOptions.FromConfiguration(TestConfig.From(("OrderSupervisorStuckAfter", "00:00:10")))).Message);
        Assert.Equal(
            "setting 'OrderSupervisorMaxRedispatches' must be a whole number from 0 to 100, not '-1'",
            Assert.Throws<InvalidSettingException>(() => OrderSupervisorOptions.FromConfiguration(TestConfig.From(("OrderSupervisorMaxRedispatches", "-1")))).Message);
        Assert.Equal(
            "setting 'OrderSupervisorLookbackDays' must be a whole number from 1 to 366, not '0'",
            Assert.Throws<InvalidSettingException>(() => OrderSupervisorOptions.FromConfiguration(TestConfig.From(("OrderSupervisorLookbackDays", "0")))).Message);
    }

    private Order NewOrder(OrderStatus status) => new()
    {
        Id = OrderId.New(_time.GetUtcNow()),
        CustomerEmail = "ada@example.com",
        PaymentToken = "tok_visa",
        Lines = [new OrderLine("BEANS", 1, 100)],
        CreatedAt = _time.GetUtcNow(),
        UpdatedAt = _time.GetUtcNow(),
        Status = status,
    };
}
