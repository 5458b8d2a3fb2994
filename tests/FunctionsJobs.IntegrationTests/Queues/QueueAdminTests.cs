using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FunctionsJobs.Core.Queues;
using FunctionsJobs.Testing;

namespace FunctionsJobs.IntegrationTests.Queues;

/// <summary>Operating queues over /admin: depths, poison peek, poison replay.</summary>
public sealed class QueueAdminTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private static readonly Dictionary<string, string> OneDelivery = new() { ["AzureFunctionsJobHost:extensions:queues:maxDequeueCount"] = "1" };

    [Fact]
    public async Task Lists_queues_with_approximate_depth_poison_depth_and_their_functions()
    {
        await using var harness = await QueueHarness.StartAsync<FailingHandler, TestMessage>(azurite.ConnectionString, "list", OneDelivery);
        await harness.SendAsync(new TestMessage("p1", -1));
        await harness.SendAsync(new TestMessage("p2", -1));
        await QueueHarness.EventuallyAsync(async () => (await harness.PoisonMessagesAsync()).Length == 2, "two poison messages");

        var queues = await GetJsonAsync<List<JsonElement>>(harness.Host, "/admin/queues");

        var row = queues.Single(q => q.GetProperty("name").GetString() == harness.QueueName);
        Assert.Equal(0, row.GetProperty("approximateMessageCount").GetInt32());
        Assert.Equal(harness.QueueName + "-poison", row.GetProperty("poisonQueue").GetString());
        Assert.Equal(2, row.GetProperty("poisonApproximateMessageCount").GetInt32());
        Assert.Equal(QueueHarness.FunctionName, Assert.Single(row.GetProperty("functions").EnumerateArray()).GetString());
        Assert.DoesNotContain(queues, q => q.GetProperty("name").GetString() == harness.QueueName + "-poison");
    }

    [Fact]
    public async Task Replay_moves_every_poison_message_back_unchanged_and_two_replays_at_once_move_each_message_once()
    {
        await using var harness = await QueueHarness.StartAsync<FailingHandler, TestMessage>(azurite.ConnectionString, "replay", OneDelivery);
        var bodies = new List<string>();
        for (var i = 0; i < 40; i++)
        {
            var body = Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(new TestMessage($"r{i}", -1), JobJson.Options));
            bodies.Add(body);
            await harness.Raw.SendMessageAsync(body);
        }

        await harness.Probe.WaitUntilAsync(p => p.Failed == 40);
        await QueueHarness.EventuallyAsync(async () => await harness.ApproximateCountAsync(harness.Poison) == 40 && await harness.ApproximateCountAsync(harness.Raw) == 0, "all 40 in poison");

        // Stop the listener so the replayed messages stay in the queue for counting.
        await harness.Host.StopAsync();
        await using var admin = await TestHost.StartAsync(azurite.ConnectionString);
        var replays = await Task.WhenAll(QueueHarness.ReplayAsync(admin, harness.QueueName), QueueHarness.ReplayAsync(admin, harness.QueueName));

        Assert.Equal(40, replays.Sum());
        Assert.Equal(0, await harness.ApproximateCountAsync(harness.Poison));
        var replayed = await harness.DrainVisibleAsync(harness.Raw);
        Assert.Equal(bodies.Order(), replayed.Select(m => m.Body.ToString()).Order());
        Assert.Empty(await GetJsonAsync<List<JsonElement>>(admin, $"/admin/queues/{harness.QueueName}/poison"));
    }

    [Fact]
    public async Task Peek_shows_poison_messages_without_hiding_them()
    {
        await using var harness = await QueueHarness.StartAsync<FailingHandler, TestMessage>(azurite.ConnectionString, "peek", OneDelivery);
        await harness.SendAsync(new TestMessage("pk", -1));
        await QueueHarness.EventuallyAsync(async () => (await harness.PoisonMessagesAsync()).Length == 1, "poison message");

        var first = Assert.Single(await GetJsonAsync<List<JsonElement>>(harness.Host, $"/admin/queues/{harness.QueueName}/poison"));
        var second = Assert.Single(await GetJsonAsync<List<JsonElement>>(harness.Host, $"/admin/queues/{harness.QueueName}/poison"));

        Assert.Equal(first.GetProperty("messageId").GetString(), second.GetProperty("messageId").GetString());
        Assert.Equal(QueueHarness.FunctionName, first.GetProperty("functionName").GetString());
        Assert.Contains("\"pk\"", QueueHarnessDecode(first.GetProperty("body").GetString()!), StringComparison.Ordinal);
        Assert.Contains("refusing pk", first.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/admin/queues/Not_A_Queue/poison", "GET")]
    [InlineData("/admin/queues/ab/poison/replay", "POST")]
    [InlineData("/admin/queues/valid-queue/poison?max=0", "GET")]
    public async Task Invalid_queue_names_and_limits_get_400_problem_details(string path, string method)
    {
        await using var host = await TestHost.StartAsync(azurite.ConnectionString);
        using var request = host.Request(new HttpMethod(method), path, TestHost.MasterKey);
        using var response = await host.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private static string QueueHarnessDecode(string base64) => System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(base64));

    private static async Task<T> GetJsonAsync<T>(TestHost host, string path)
    {
        using var request = host.Request(HttpMethod.Get, path, TestHost.MasterKey);
        using var response = await host.Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<T>())!;
    }
}
