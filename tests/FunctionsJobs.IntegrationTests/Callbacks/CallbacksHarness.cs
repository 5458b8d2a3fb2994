using System.Globalization;
using System.Text;
using System.Text.Json;
using FunctionsJobs.Core.Callbacks;
using FunctionsJobs.Core.Queues;
using FunctionsJobs.IntegrationTests.Orders;
using FunctionsJobs.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace FunctionsJobs.IntegrationTests.Callbacks;

/// <summary>
/// The Host with Orders and a callbacks queue and dead-letters table of this test's own, quick
/// retries, and a real receiver (Kestrel on loopback) that verifies every request it gets.
/// </summary>
public sealed class CallbacksHarness : IAsyncDisposable
{
    public const string Secret = "whsec_Y2FsbGJhY2tzLWludGVncmF0aW9uLXRlc3RzLWtleS0wMQ==";

    private CallbacksHarness(OrdersHarness orders, CallbackReceiver receiver)
    {
        Orders = orders;
        Receiver = receiver;
    }

    public OrdersHarness Orders { get; }

    public CallbackReceiver Receiver { get; }

    public TestHost Host => Orders.Host;

    public CallbackSettings Settings => Host.Services.GetRequiredService<CallbackSettings>();

    /// <summary>Local receivers are allowed (private networks on) unless the test's settings say otherwise.</summary>
    public static async Task<CallbacksHarness> StartAsync(OrdersFixture fixture, IReadOnlyDictionary<string, string>? settings = null, Action<WebApplicationBuilder>? configure = null)
    {
        var suffix = Guid.NewGuid().ToString("N")[..10];
        var all = new Dictionary<string, string>
        {
            [CallbackSettings.QueueNameSetting] = $"callbacks-{suffix}",
            [CallbackSettings.DeadLettersTableSetting] = $"DeadLetters{suffix}",
            [CallbackSettings.SigningSecretSetting] = Secret,
            [CallbackSettings.AllowPrivateNetworksSetting] = "true",
            [CallbackSettings.FirstRetryDelaySetting] = "00:00:00.200",
            [CallbackSettings.MaxRetryDelaySetting] = "00:00:01",
            [CallbackSettings.TimeoutSetting] = "00:00:02",
            [CallbackSettings.RecoveryDelaySetting] = "00:00:01",
            [CallbackSettings.MaxAgeSetting] = "00:05:00",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            all[key] = value;
        }

        var receiver = await CallbackReceiver.StartAsync(Secret);
        return new CallbacksHarness(await OrdersHarness.StartAsync(fixture, all, configure), receiver);
    }

    /// <summary>Places an order of one line of a fresh SKU, with whatever callback headers are given.</summary>
    public async Task<HttpResponseMessage> PlaceAsync(string token = "tok_visa", string? callbackUrl = null, string? replyTo = null, string? correlationId = null, int quantity = 1)
    {
        var sku = $"CB{Guid.NewGuid():N}"[..12].ToUpperInvariant();
        await Orders.SeedAsync(sku, 5);
        using var request = Host.Request(HttpMethod.Post, "/api/orders", TestHost.FunctionKey);
        request.Content = new StringContent(JsonSerializer.Serialize(OrdersHarness.Body(token, (Orders.Sku(sku), quantity)), JobJson.Options), Encoding.UTF8, "application/json");
        AddHeaders(request, callbackUrl, replyTo, correlationId);
        return await Host.Http.SendAsync(request);
    }

    public async Task<string> PlaceOrderIdAsync(string token = "tok_visa", string? callbackUrl = null, string? replyTo = null, string? correlationId = null, int quantity = 1)
    {
        using var response = await PlaceAsync(token, callbackUrl, replyTo, correlationId, quantity);
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Accepted, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await OrdersHarness.OrderIdOfAsync(response);
    }

    public async Task<HttpResponseMessage> GetAsync(string path, string? prefer = null)
    {
        using var request = Host.Request(HttpMethod.Get, path, TestHost.FunctionKey);
        if (prefer is not null)
        {
            request.Headers.TryAddWithoutValidation("Prefer", prefer);
        }

        return await Host.Http.SendAsync(request);
    }

    public static void AddHeaders(HttpRequestMessage request, string? callbackUrl, string? replyTo, string? correlationId)
    {
        ArgumentNullException.ThrowIfNull(request);
        foreach (var (name, value) in new[] { ("Callback-Url", callbackUrl), ("Reply-To", replyTo), ("Correlation-Id", correlationId) })
        {
            if (value is not null)
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }
    }

    /// <summary>The delivery handler as one queue message gets it.</summary>
    public CallbackDelivery Delivery() => Host.Services.CreateScope().ServiceProvider.GetRequiredService<CallbackDelivery>();

    public static string Seconds(double seconds) => TimeSpan.FromSeconds(seconds).ToString("c", CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        await Orders.DisposeAsync();
        await Receiver.DisposeAsync();
    }
}
