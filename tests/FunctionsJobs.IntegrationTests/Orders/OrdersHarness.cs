using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using FunctionsJobs.Core.Orders;
using FunctionsJobs.Core.Queues;
using FunctionsJobs.IntegrationTests.Queues;
using FunctionsJobs.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace FunctionsJobs.IntegrationTests.Orders;

/// <summary>
/// The Host with the Orders job on tables and a queue of this test's own, maildev as its SMTP
/// server, and the ways a test looks at the effects: stock, reservations, charges and e-mails.
/// </summary>
public sealed class OrdersHarness : IAsyncDisposable
{
    public const string Customer = "ada@example.com";

    private OrdersHarness(TestHost host, OrdersFixture fixture, string suffix)
    {
        Host = host;
        Fixture = fixture;
        Suffix = suffix;
    }

    public TestHost Host { get; }

    public OrdersFixture Fixture { get; }

    /// <summary>Makes this test's SKUs its own too, so tests never share stock.</summary>
    public string Suffix { get; }

    public OrdersStorage Storage => Host.Services.GetRequiredService<OrdersStorage>();

    public OrdersOptions Options => Host.Services.GetRequiredService<OrdersOptions>();

    /// <param name="settings">Extra settings; maxDequeueCount is 3 unless given.</param>
    public static Task<OrdersHarness> StartAsync(OrdersFixture fixture, IReadOnlyDictionary<string, string>? settings = null, Action<WebApplicationBuilder>? configure = null) =>
        StartAsync(fixture, Guid.NewGuid().ToString("N")[..10], settings, configure);

    /// <summary>Another Host on this one's tables and queue: the same app started again, or a second instance.</summary>
    public Task<OrdersHarness> StartAnotherAsync(IReadOnlyDictionary<string, string>? settings = null, Action<WebApplicationBuilder>? configure = null) =>
        StartAsync(Fixture, Suffix.ToLowerInvariant(), settings, configure);

    private static async Task<OrdersHarness> StartAsync(OrdersFixture fixture, string suffix, IReadOnlyDictionary<string, string>? settings, Action<WebApplicationBuilder>? configure)
    {
        var all = new Dictionary<string, string>(fixture.Mail.Settings)
        {
            [OrdersSettings.QueueName] = $"orders-{suffix}",
            [OrdersSettings.OrdersTable] = $"Orders{suffix}",
            [OrdersSettings.InventoryTable] = $"Inventory{suffix}",
            [OrdersSettings.PaymentsTable] = $"Payments{suffix}",
            [OrdersSettings.OutboxTable] = $"Outbox{suffix}",
            ["AzureFunctionsJobHost:extensions:queues:maxDequeueCount"] = "3",
            [OrdersSettings.MailClaim] = "00:00:05",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            all[key] = value;
        }

        var host = await TestHost.StartAsync(fixture.Azurite.ConnectionString, all, configure);
        return new OrdersHarness(host, fixture, suffix.ToUpperInvariant());
    }

    public string Sku(string name) => $"{name}-{Suffix}";

    public async Task SeedAsync(string name, int available, long unitPriceCents = 1000)
    {
        var inventory = Host.Services.GetRequiredService<InventoryStore>();
        Assert.True(await inventory.TryAddItemAsync(new CatalogItem(Sku(name), name, unitPriceCents, available), CancellationToken.None));
    }

    public static object Body(string token, params (string Sku, int Quantity)[] lines) =>
        new { customerEmail = Customer, items = lines.Select(l => new { sku = l.Sku, quantity = l.Quantity }), paymentToken = token };

    public async Task<HttpResponseMessage> PostAsync(object body, string? idempotencyKey = null) =>
        await PostRawAsync(JsonSerializer.Serialize(body, JobJson.Options), "application/json", idempotencyKey);

    public async Task<HttpResponseMessage> PostRawAsync(string body, string? contentType, string? idempotencyKey = null)
    {
        using var request = Host.Request(HttpMethod.Post, "/api/orders", TestHost.FunctionKey);
        request.Content = new StringContent(body, Encoding.UTF8);
        request.Content.Headers.ContentType = contentType is null ? null : System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return await Host.Http.SendAsync(request);
    }

    /// <summary>Stores an order the way the starter does, but without sending its message: the test delivers it.</summary>
    public async Task<string> AcceptAsync(string token, params (string Sku, int Quantity)[] lines)
    {
        // The Host's own intake, but its message goes to a dispatcher that only keeps it.
        var intake = ActivatorUtilities.CreateInstance<OrderIntake>(Host.Services, new RecordingOrderDispatcher());
        using var body = new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(Body(token, lines), JobJson.Options));
        var result = await intake.PlaceAsync("application/json", body.Length, body, null, null, CancellationToken.None);
        return Assert.IsType<PlaceOrderResult.Accepted>(result).OrderId;
    }

    /// <summary>A workflow as one delivery gets it (its own DI scope).</summary>
    public OrderWorkflow Workflow() => Host.Services.CreateScope().ServiceProvider.GetRequiredService<OrderWorkflow>();

    public static QueueMessageContext Delivery(long dequeueCount = 1) => DuplicateDelivery.NewContext() with { DequeueCount = dequeueCount };

    public async Task<Order> OrderAsync(string orderId) =>
        await Host.Services.GetRequiredService<OrderStore>().GetAsync(orderId, CancellationToken.None) ?? throw new InvalidOperationException($"no order {orderId}");

    /// <summary>One delivery with the SMTP server down: the order is Paid, its confirmation Pending in the outbox.</summary>
    public async Task PayWithSmtpDownAsync(string orderId)
    {
        await Fixture.Mail.StopAsync();
        try
        {
            await Assert.ThrowsAsync<OrderRetryException>(() => Workflow().HandleAsync(new OrderMessage(orderId), Delivery(1), default));
        }
        finally
        {
            await Fixture.Mail.StartAgainAsync();
        }

        Assert.Equal(OrderStatus.Paid, (await OrderAsync(orderId)).Status);
    }

    public async Task<Order> WaitForTerminalAsync(string orderId, TimeSpan? timeout = null)
    {
        Order? order = null;
        await QueueHarness.EventuallyAsync(async () => (order = await OrderAsync(orderId)).IsTerminal, $"order {orderId} terminal (last seen {order?.Status})", timeout);
        return order!;
    }

    public async Task<int> AvailableAsync(string name) =>
        (await Host.Services.GetRequiredService<InventoryStore>().GetItemAsync(Sku(name), CancellationToken.None))!.Available;

    /// <summary>The order's reservation rows of every SKU: (sku, quantity, state).</summary>
    public async Task<List<(string Sku, int Quantity, string State)>> ReservationsAsync(string orderId)
    {
        var rows = new List<(string, int, string)>();
        await foreach (var row in Storage.Inventory.QueryAsync<TableEntity>(e => e.RowKey == InventoryStore.ReservationRowKey(orderId)))
        {
            rows.Add((row.PartitionKey, row.GetInt32("Quantity") ?? 0, row.GetString("State")));
        }

        return rows;
    }

    /// <summary>The payment rows the sandbox gateway keeps for the order (its idempotency key).</summary>
    public async Task<List<TableEntity>> ChargesAsync(string orderId)
    {
        var rows = new List<TableEntity>();
        await foreach (var row in Storage.Payments.QueryAsync<TableEntity>(e => e.PartitionKey == orderId && e.RowKey == "charge"))
        {
            rows.Add(row);
        }

        return rows;
    }

    /// <summary>E-mails maildev received for the order.</summary>
    public async Task<List<ReceivedMail>> MailsAsync(string orderId) =>
        [.. (await Fixture.Mail.MessagesAsync()).Where(m => m.OrderId == orderId)];

    public static async Task<string> OrderIdOfAsync(HttpResponseMessage accepted)
    {
        var body = await accepted.Content.ReadFromJsonAsync<JsonElement>();
        return body.GetProperty("id").GetString()!;
    }

    public async ValueTask DisposeAsync() => await Host.DisposeAsync();
}
