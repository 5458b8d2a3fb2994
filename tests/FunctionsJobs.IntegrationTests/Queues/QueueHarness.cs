using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using FunctionsJobs.Core.Queues;
using FunctionsJobs.Host.Queues;
using FunctionsJobs.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace FunctionsJobs.IntegrationTests.Queues;

/// <summary>A Host with one queue function on a fresh queue, and clients that write as Functions does.</summary>
public sealed class QueueHarness : IAsyncDisposable
{
    public const string FunctionName = "TestFunction";
    public const string QueueSetting = "TestQueueName";

    private QueueHarness(TestHost host, Probe probe, string connectionString, string queueName)
    {
        Host = host;
        Probe = probe;
        QueueName = queueName;
        Base64 = new QueueClient(connectionString, queueName, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        Raw = new QueueClient(connectionString, queueName);
        Poison = new QueueClient(connectionString, PoisonQueue.NameFor(queueName));
    }

    public TestHost Host { get; }

    public Probe Probe { get; }

    public string QueueName { get; }

    /// <summary>Writes base64 bodies: what a Functions app or <c>StorageAccount.Queues</c> writes.</summary>
    public QueueClient Base64 { get; }

    /// <summary>Reads and writes bodies as they are stored.</summary>
    public QueueClient Raw { get; }

    public QueueClient Poison { get; }

    public static async Task<QueueHarness> StartAsync<THandler, TMessage>(
        string connectionString,
        string queuePrefix,
        IReadOnlyDictionary<string, string>? settings = null,
        Func<QueueClient, Task>? beforeStart = null,
        Action<Microsoft.AspNetCore.Builder.WebApplicationBuilder>? configure = null)
        where THandler : class, IQueueHandler<TMessage>
    {
        var probe = new Probe();
        var queueName = AzuriteFixture.NewQueueName(queuePrefix);
        var raw = new QueueClient(connectionString, queueName);
        await raw.CreateIfNotExistsAsync();
        if (beforeStart is not null)
        {
            await beforeStart(raw);
        }

        var host = await TestHost.StartAsync(connectionString, settings, builder =>
        {
            builder.Services.AddSingleton(probe);
            builder.Services.AddQueueFunction<THandler, TMessage>(builder.Configuration, FunctionName, QueueSetting, queueName);
            configure?.Invoke(builder);
        });
        return new QueueHarness(host, probe, connectionString, queueName);
    }

    public Task SendAsync(TestMessage message) =>
        Base64.SendMessageAsync(JsonSerializer.Serialize(message, JobJson.Options));

    /// <summary>Every message that is visible now (peek shows at most 32, so receive and release).</summary>
    public async Task<List<QueueMessage>> DrainVisibleAsync(QueueClient queue)
    {
        var all = new List<QueueMessage>();
        while (true)
        {
            QueueMessage[] batch = (await queue.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(5))).Value;
            if (batch.Length == 0)
            {
                return all;
            }

            all.AddRange(batch);
        }
    }

    /// <summary>Storage has no change feed for a queue, so the test polls it, briefly, until the condition holds.</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"timed out waiting for: {what}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Messages in the poison queue now; none while it does not exist yet.</summary>
    public async Task<QueueMessage[]> PoisonMessagesAsync()
    {
        if (!await Poison.ExistsAsync())
        {
            return [];
        }

        return [.. (await Poison.PeekMessagesAsync(32)).Value.Select(p => QueuesModelFactory.QueueMessage(p.MessageId, "peeked", p.Body, p.DequeueCount, p.InsertedOn))];
    }

    public async Task<int> ApproximateCountAsync(QueueClient queue) => (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount;

    /// <summary>The poison messages with their recorded reasons, as <c>GET /admin/queues/{name}/poison</c> shows them.</summary>
    public async Task<List<JsonElement>> PeekPoisonAsync()
    {
        using var request = Host.Request(HttpMethod.Get, $"/admin/queues/{QueueName}/poison", TestHost.MasterKey);
        using var response = await Host.Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<List<JsonElement>>())!;
    }

    /// <summary><c>POST /admin/queues/{queue}/poison/replay</c> on <paramref name="host"/>: how many messages it moved back.</summary>
    public static async Task<int> ReplayAsync(TestHost host, string queue)
    {
        using var request = host.Request(HttpMethod.Post, $"/admin/queues/{queue}/poison/replay", TestHost.MasterKey);
        using var response = await host.Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("moved").GetInt32();
    }

    public static string Decode(QueueMessage message) => Encoding.UTF8.GetString(Convert.FromBase64String(message.Body.ToString()));

    public async ValueTask DisposeAsync() => await Host.DisposeAsync();
}
