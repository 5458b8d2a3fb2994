using System.Text.Json;
using FunctionsJobs.Core.Queues;

namespace FunctionsJobs.IntegrationTests.Queues;

/// <summary>Stopping the Host: stop receiving, drain, cancel the rest, lose nothing.</summary>
public sealed class ShutdownTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task Handlers_that_finish_within_the_drain_timeout_complete_and_their_messages_are_deleted()
    {
        var settings = new Dictionary<string, string> { ["FunctionsJobs:DrainTimeout"] = "00:00:30" };
        await using var harness = await QueueHarness.StartAsync<BlockingHandler, TestMessage>(azurite.ConnectionString, "drain", settings);
        for (var i = 0; i < 3; i++)
        {
            await harness.SendAsync(new TestMessage($"d{i}", i));
        }

        await harness.Probe.WaitUntilAsync(p => p.Started.Count == 3);
        var stopping = harness.Host.StopAsync();
        await harness.Host.Logs.WaitForAsync(e => e.Message.Contains("draining 3 in-flight", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        Assert.False(stopping.IsCompleted);

        harness.Probe.Gate.Release(3);
        await stopping;

        Assert.Equal(3, harness.Probe.Completed.Count);
        Assert.Empty(harness.Probe.Cancelled);
        Assert.Equal(0, await harness.ApproximateCountAsync(harness.Raw));
    }

    [Fact]
    public async Task Handlers_still_running_after_the_drain_timeout_are_cancelled_and_their_messages_are_visible_again()
    {
        var settings = new Dictionary<string, string> { ["FunctionsJobs:DrainTimeout"] = "00:00:00.500" };
        await using var harness = await QueueHarness.StartAsync<BlockingHandler, TestMessage>(azurite.ConnectionString, "abort", settings);
        for (var i = 0; i < 3; i++)
        {
            await harness.SendAsync(new TestMessage($"a{i}", i));
        }

        await harness.Probe.WaitUntilAsync(p => p.Started.Count == 3);
        await harness.Host.StopAsync();

        Assert.Equal(3, harness.Probe.Cancelled.Count);
        var visible = await harness.DrainVisibleAsync(harness.Raw);
        Assert.Equal(["a0", "a1", "a2"], visible.Select(m => JsonSerializer.Deserialize<TestMessage>(QueueHarness.Decode(m), JobJson.Options)!.Id).Order());
    }

    [Fact]
    public async Task Stopping_with_100_messages_in_flight_loses_none()
    {
        var settings = new Dictionary<string, string>
        {
            ["AzureFunctionsJobHost:extensions:queues:batchSize"] = "32",
            ["AzureFunctionsJobHost:extensions:queues:newBatchThreshold"] = "100",
            ["FunctionsJobs:DrainTimeout"] = "00:00:01",
        };
        await using var harness = await QueueHarness.StartAsync<BlockingHandler, TestMessage>(azurite.ConnectionString, "hundred", settings, async queue =>
        {
            await Task.WhenAll(Enumerable.Range(0, 100).Select(i =>
                queue.SendMessageAsync(Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(new TestMessage($"h{i}", i), JobJson.Options)))));
        });

        await harness.Probe.WaitUntilAsync(p => p.Started.Count == 100);
        harness.Probe.Gate.Release(40);
        await harness.Probe.WaitUntilAsync(p => p.Completed.Count == 40);
        await harness.Host.StopAsync();

        var completed = harness.Probe.Completed.Select(c => c.Payload).ToHashSet();
        var returned = (await harness.DrainVisibleAsync(harness.Raw)).Select(m => JsonSerializer.Deserialize<TestMessage>(QueueHarness.Decode(m), JobJson.Options)!.Id).ToList();
        Assert.Equal(40, completed.Count);
        Assert.Equal(60, returned.Count);
        Assert.Empty(completed.Intersect(returned));
        Assert.Equal(Enumerable.Range(0, 100).Select(i => $"h{i}").Order(), completed.Concat(returned).Order());
    }
}
