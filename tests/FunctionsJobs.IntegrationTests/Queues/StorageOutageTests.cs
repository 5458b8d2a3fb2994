using FunctionsJobs.Testing;

namespace FunctionsJobs.IntegrationTests.Queues;

/// <summary>Azurite stopped and started again under a running Host.</summary>
public sealed class StorageOutageTests
{
    [Fact]
    public async Task The_host_logs_backs_off_and_resumes_by_itself_when_storage_comes_back()
    {
        await using var azurite = await AzuriteServer.StartAsync();
        await using var harness = await QueueHarness.StartAsync<TextHandler, string>(azurite.ConnectionString, "outage");
        await harness.Base64.SendMessageAsync("before");
        await harness.Probe.WaitUntilAsync(p => p.Completed.Count == 1);

        await azurite.StopAsync();
        // The Host's own jobs listen too; this test watches its queue's listener.
        bool Ours(LogEntry e) => Equals(e.Fields.GetValueOrDefault("QueueName"), harness.QueueName);
        var failure = await harness.Host.Logs.WaitForAsync(e => Ours(e) && e.Message.Contains("storage request failed", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        Assert.Equal(harness.QueueName, failure.Fields["QueueName"]);
        using (var ready = await harness.Host.Http.GetAsync("/health/ready"))
        {
            Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        }

        using (var live = await harness.Host.Http.GetAsync("/health/live"))
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, live.StatusCode);
        }

        // In-memory Azurite comes back empty: the listener must recreate its queue too.
        await azurite.StartAgainAsync();
        await harness.Host.Logs.WaitForAsync(e => Ours(e) && e.Message.Contains("listening resumed", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        await harness.Base64.CreateIfNotExistsAsync();
        await harness.Base64.SendMessageAsync("after");
        await harness.Probe.WaitUntilAsync(p => p.Completed.Any(c => c.Payload == "after"));
    }
}
