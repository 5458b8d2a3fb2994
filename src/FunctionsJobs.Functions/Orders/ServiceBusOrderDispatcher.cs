using System.Text.Json;
using Azure.Messaging.ServiceBus;
using FunctionsJobs.Core.Orders;
using FunctionsJobs.Core.Queues;
using FunctionsJobs.Core.Settings;
using FunctionsJobs.Core.Storage;
using Microsoft.Extensions.Configuration;

namespace FunctionsJobs.Functions.Orders;

/// <summary>
/// Sends order messages to the Service Bus queue <c>%OrdersQueueName%</c> through the connection
/// the bindings use, <c>ServiceBusConnection</c>: a connection string, or
/// <c>ServiceBusConnection__fullyQualifiedNamespace</c> with an identity (<c>__credential</c>,
/// <c>__clientId</c>). The starter and the order supervisor send through it; unlike a
/// <c>ServiceBusOutput</c> binding it sets MessageId, so the queue's duplicate detection drops a
/// repeated send of one dispatch.
/// </summary>
public sealed class ServiceBusOrderDispatcher : IOrderDispatcher, IAsyncDisposable
{
    public const string ConnectionSetting = "ServiceBusConnection";

    private readonly ServiceBusClient _client;
    private readonly ServiceBusSender _sender;
    private readonly ServiceBusReceiver _receiver;

    public ServiceBusOrderDispatcher(IConfiguration configuration, OrdersOptions options)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(options);
        var section = configuration.GetSection(ConnectionSetting);
        _client = !string.IsNullOrWhiteSpace(section.Value)
            ? new ServiceBusClient(section.Value)
            : new ServiceBusClient(
                section["fullyQualifiedNamespace"] ?? throw new InvalidSettingException(ConnectionSetting, $"is not set: give a connection string or {ConnectionSetting}__fullyQualifiedNamespace"),
                StorageAccount.CreateCredential(ConnectionSetting, section));
        _sender = _client.CreateSender(options.QueueName);
        _receiver = _client.CreateReceiver(options.QueueName);
    }

    public Task SendAsync(OrderMessage message, string messageId, CancellationToken cancellationToken) =>
        _sender.SendMessageAsync(
            new ServiceBusMessage(JsonSerializer.Serialize(message, JobJson.Options)) { MessageId = messageId, ContentType = "application/json" },
            cancellationToken);

    /// <summary>
    /// A peek from the queue's first sequence number: it changes nothing, and unlike a storage
    /// queue's it also sees messages locked by a delivery in progress (needs the Data Receiver role).
    /// </summary>
    public async Task<DateTimeOffset?> OldestWaitingAsync(CancellationToken cancellationToken) =>
        (await _receiver.PeekMessageAsync(fromSequenceNumber: 0, cancellationToken).ConfigureAwait(false))?.EnqueuedTime;

    public async ValueTask DisposeAsync()
    {
        await _receiver.DisposeAsync().ConfigureAwait(false);
        await _sender.DisposeAsync().ConfigureAwait(false);
        await _client.DisposeAsync().ConfigureAwait(false);
    }
}
