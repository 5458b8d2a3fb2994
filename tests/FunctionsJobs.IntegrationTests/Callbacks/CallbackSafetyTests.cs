using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using FunctionsJobs.Core.Callbacks;
using FunctionsJobs.IntegrationTests.Orders;
using FunctionsJobs.IntegrationTests.Queues;
using FunctionsJobs.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace FunctionsJobs.IntegrationTests.Callbacks;

/// <summary>
/// Server-side request forgery refused, with private networks not allowed (as outside development):
/// at intake, and again on connect for an event whose address turned private after it was accepted.
/// Every address tried here is on this machine; nothing is sent anywhere else.
/// </summary>
public sealed class CallbackSafetyTests(OrdersFixture fixture) : IClassFixture<OrdersFixture>
{
    private static readonly Dictionary<string, string> Strict = new() { [CallbackSettings.AllowPrivateNetworksSetting] = "false" };

    [Fact]
    public async Task Loopback_metadata_IPv6_loopback_mapped_and_names_resolving_to_loopback_are_refused_at_intake_with_400_naming_the_header()
    {
        await using var harness = await CallbacksHarness.StartAsync(fixture, Strict);
        var port = harness.Receiver.Port;
        string[] urls =
        [
            $"http://127.0.0.1:{port}/hooks",
            "http://169.254.169.254/latest/meta-data/",
            $"http://[::1]:{port}/hooks",
            $"https://127.0.0.1:{port}/hooks",
            "https://169.254.169.254/metadata/instance",
            $"https://[::1]:{port}/hooks",
            $"https://[::ffff:127.0.0.1]:{port}/hooks",
            $"https://localhost:{port}/hooks",
            "https://10.0.0.1/hooks",
        ];

        foreach (var url in urls)
        {
            using var order = await harness.PlaceAsync(callbackUrl: url);
            using var image = await UploadAsync(harness, url);
            foreach (var response in new[] { order, image })
            {
                Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{url}: {response.StatusCode}");
                Assert.StartsWith("application/problem+json", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
                var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
                Assert.Equal("The callback is not valid", problem.GetProperty("title").GetString());
                Assert.True(problem.GetProperty("errors").TryGetProperty("Callback-Url", out _), url);
            }
        }

        Assert.Empty(harness.Receiver.Received);
    }

    [Fact]
    public async Task An_event_whose_host_resolves_to_loopback_on_connect_or_names_a_loopback_address_is_refused_before_connecting_and_dead_lettered()
    {
        // The name resolves to loopback when the sender connects, as a DNS rebinding after intake would make it.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var accepted = 0;
        _ = Task.Run(async () =>
        {
            while (true)
            {
                using var client = await listener.AcceptTcpClientAsync();
                Interlocked.Increment(ref accepted);
            }
        });
        await using var harness = await CallbacksHarness.StartAsync(fixture, Strict, builder => builder.Services.Replace(
            ServiceDescriptor.Singleton(new CallbackHostResolver((_, _) => Task.FromResult(new[] { IPAddress.Loopback })))));

        var outbox = harness.Host.Services.GetRequiredService<CallbackOutbox>();
        var events = new List<string>();
        foreach (var url in new[] { $"https://rebound.example:{port}/hooks", $"https://127.0.0.1:{port}/hooks", $"https://[::ffff:7f00:1]:{port}/hooks" })
        {
            var target = new CallbackTarget(url, null, null, "https://shop.example");
            var orderId = $"20260101-{Guid.NewGuid():N}"[..29];
            var callbackEvent = CallbackEvent.Of(OrderCallbacks.Kind, orderId, "Completed", "Completed", null, $"/api/orders/{orderId}", target, DateTimeOffset.UtcNow);
            await outbox.ReleaseAsync(await outbox.StageAsync(target, new CallbackResource(OrderCallbacks.Kind, orderId, "Completed"), callbackEvent, default));
            events.Add(callbackEvent.Id);
        }

        var deadLetters = harness.Host.Services.GetRequiredService<CallbackDeadLetters>();
        IReadOnlyList<DeadLetter> listed = [];
        await QueueHarness.EventuallyAsync(async () => (listed = await deadLetters.ListAsync(10, default)).Count == events.Count, "three dead letters", TimeSpan.FromMinutes(1));

        Assert.Equal(events.Order(), listed.Select(d => d.EventId).Order());
        Assert.All(listed, d => Assert.Contains("public address", d.Reason, StringComparison.Ordinal));
        Assert.All(listed, d => Assert.Equal(1, d.Attempts));
        Assert.Equal(0, Volatile.Read(ref accepted));
    }

    private static async Task<HttpResponseMessage> UploadAsync(CallbacksHarness harness, string callbackUrl)
    {
        using var request = harness.Host.Request(HttpMethod.Post, "/api/images", TestHost.FunctionKey);
        request.Content = new ByteArrayContent(TestImages.Jpeg(16, 16));
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("image/jpeg");
        CallbacksHarness.AddHeaders(request, callbackUrl, null, null);
        return await harness.Host.Http.SendAsync(request);
    }
}
