using FunctionsJobs.Host.Queues;

namespace FunctionsJobs.UnitTests.Queues;

public sealed class QueueWakeupsTests
{
    [Fact]
    public void A_visible_send_wakes_every_listener_of_its_queue_and_no_other()
    {
        var wakeups = new QueueWakeups();
        var woken = new List<string>();
        wakeups.Register("orders", () => woken.Add("orders-1"));
        wakeups.Register("orders", () => woken.Add("orders-2"));
        wakeups.Register("thumbnail-events", () => woken.Add("events"));

        wakeups.Sent("orders");
        wakeups.Sent("orders", TimeSpan.Zero);
        wakeups.Sent("nobody-listens");

        Assert.Equal(["orders-1", "orders-2", "orders-1", "orders-2"], woken);
    }

    [Fact]
    public void A_hidden_send_wakes_nobody_it_could_not_be_received_yet()
    {
        var wakeups = new QueueWakeups();
        var woken = 0;
        wakeups.Register("thumbnail-events", () => woken++);

        wakeups.Sent("thumbnail-events", TimeSpan.FromMinutes(1));

        Assert.Equal(0, woken);
    }
}
