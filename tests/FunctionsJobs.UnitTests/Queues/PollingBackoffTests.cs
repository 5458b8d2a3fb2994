using FunctionsJobs.Host.Queues;

namespace FunctionsJobs.UnitTests.Queues;

/// <summary>
/// The contract in PollingBackoff: the first wait is exactly the minimum (the jitter, 80-100 %
/// of the target, is clamped up to the minimum); each later wait is 80-100 % of twice the last,
/// capped at the maximum; once the cap is reached the wait is exactly the maximum.
/// Random jitter, so each property is checked over many runs.
/// </summary>
public sealed class PollingBackoffTests
{
    private const int Runs = 200;
    private static readonly TimeSpan Min = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Max = TimeSpan.FromMinutes(1);

    [Fact]
    public void Starts_at_zero()
    {
        Assert.Equal(TimeSpan.Zero, new PollingBackoff(Min, Max).Current);
    }

    [Fact]
    public void First_delay_is_the_minimum()
    {
        for (var i = 0; i < Runs; i++)
        {
            var backoff = new PollingBackoff(Min, Max);
            var first = backoff.Next();

            Assert.InRange(first, TimeSpan.FromMilliseconds(80), TimeSpan.FromMilliseconds(100));
            Assert.Equal(Min, first);
            Assert.Equal(first, backoff.Current);
        }
    }

    [Fact]
    public void Second_delay_is_jittered_double()
    {
        for (var i = 0; i < Runs; i++)
        {
            var backoff = new PollingBackoff(Min, Max);
            backoff.Next();

            Assert.InRange(backoff.Next(), TimeSpan.FromMilliseconds(160), TimeSpan.FromMilliseconds(200));
        }
    }

    [Fact]
    public void Grows_within_jitter_bounds_never_exceeds_maximum_and_reaches_it()
    {
        for (var i = 0; i < Runs; i++)
        {
            var backoff = new PollingBackoff(Min, Max);
            var previous = backoff.Next();
            var steps = 1;
            while (previous < Max)
            {
                var next = backoff.Next();
                steps++;
                Assert.True(next > previous, $"step {steps}: {next} is not more than {previous}");
                Assert.True(next <= Max, $"step {steps}: {next} exceeds {Max}");
                var target = previous * 2 > Max ? Max : previous * 2;
                Assert.InRange(next, target * 0.8, target);
                Assert.True(steps <= 20, "the maximum was never reached");
                previous = next;
            }

            Assert.Equal(Max, previous);
        }
    }

    [Fact]
    public void Stays_exactly_at_the_maximum()
    {
        var backoff = new PollingBackoff(Min, TimeSpan.FromSeconds(2));
        for (var i = 0; i < 20; i++)
        {
            backoff.Next();
        }

        for (var i = 0; i < 50; i++)
        {
            Assert.Equal(TimeSpan.FromSeconds(2), backoff.Next());
            Assert.Equal(TimeSpan.FromSeconds(2), backoff.Current);
        }
    }

    [Fact]
    public void Reset_starts_over_from_the_minimum()
    {
        var backoff = new PollingBackoff(Min, Max);
        for (var i = 0; i < 8; i++)
        {
            backoff.Next();
        }

        Assert.True(backoff.Current > TimeSpan.FromSeconds(1));

        backoff.Reset();

        Assert.Equal(TimeSpan.Zero, backoff.Current);
        Assert.Equal(Min, backoff.Next());
        Assert.InRange(backoff.Next(), TimeSpan.FromMilliseconds(160), TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void Maximum_equal_to_minimum_always_waits_that_long()
    {
        var backoff = new PollingBackoff(Min, Min);

        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(Min, backoff.Next());
        }
    }

    [Fact]
    public void Very_long_maximum_is_reached_without_overflow()
    {
        var max = TimeSpan.FromDays(10_000);
        var backoff = new PollingBackoff(Min, max);

        var last = TimeSpan.Zero;
        for (var i = 0; i < 60; i++)
        {
            last = backoff.Next();
        }

        Assert.Equal(max, last);
    }
}
