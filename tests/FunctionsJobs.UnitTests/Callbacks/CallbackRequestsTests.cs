using System.Net;
using System.Net.Sockets;
using FunctionsJobs.Core.Callbacks;

namespace FunctionsJobs.UnitTests.Callbacks;

/// <summary>What <c>Callback-Url</c>, <c>Reply-To</c> and <c>Correlation-Id</c> may be, with a resolver that answers from a table.</summary>
public sealed class CallbackRequestsTests
{
    private const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    private static readonly Dictionary<string, IPAddress[]> Dns = new(StringComparer.OrdinalIgnoreCase)
    {
        ["hooks.example.com"] = [IPAddress.Parse("93.184.216.34"), IPAddress.Parse("2606:2800:220:1:248:1893:25c8:1946")],
        ["localhost"] = [IPAddress.Loopback, IPAddress.IPv6Loopback],
        ["intranet.example.com"] = [IPAddress.Parse("10.0.0.5")],
        ["mixed.example.com"] = [IPAddress.Parse("93.184.216.34"), IPAddress.Parse("192.168.0.10")],
    };

    [Theory]
    [InlineData("http://127.0.0.1/hooks", "https")]
    [InlineData("http://169.254.169.254/latest/meta-data/", "https")]
    [InlineData("http://[::1]/hooks", "https")]
    [InlineData("https://127.0.0.1/hooks", "public address")]
    [InlineData("https://2130706433/hooks", "public address")]
    [InlineData("https://169.254.169.254/latest/meta-data/", "public address")]
    [InlineData("https://[::1]/hooks", "public address")]
    [InlineData("https://[::ffff:127.0.0.1]/hooks", "public address")]
    [InlineData("https://[::ffff:a9fe:a9fe]/hooks", "public address")]
    [InlineData("https://localhost/hooks", "public address")]
    [InlineData("https://intranet.example.com/hooks", "public address")]
    [InlineData("https://mixed.example.com/hooks", "public address")]
    [InlineData("https://nowhere.example.com/hooks", "does not resolve")]
    [InlineData("https://user:secret@hooks.example.com/hooks", "credentials")]
    [InlineData("/hooks", "absolute")]
    [InlineData("ftp://hooks.example.com/", "https")]
    [InlineData("", "absolute")]
    public async Task An_unsafe_or_malformed_callback_url_is_refused_naming_the_header(string url, string problem)
    {
        var (target, errors) = await ReadAsync(Requests(), url: url);

        Assert.Null(target);
        var error = Assert.Single(Assert.Contains(CallbackRequests.UrlHeader, errors));
        Assert.Contains(problem, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_https_url_whose_every_address_is_public_is_taken_with_the_correlation_id()
    {
        var (target, errors) = await ReadAsync(Requests(), url: "https://hooks.example.com/orders?token=abc", correlationId: "cart-42");

        Assert.Empty(errors);
        Assert.Equal(new CallbackTarget("https://hooks.example.com/orders?token=abc", null, "cart-42", "https://shop.example"), target);
        Assert.Equal("callback https://hooks.example.com/orders", target!.Describe());
    }

    [Fact]
    public async Task Where_private_networks_are_allowed_a_local_http_receiver_is_taken()
    {
        var (target, errors) = await ReadAsync(Requests(allowPrivate: true), url: "http://127.0.0.1:5000/hooks");

        Assert.Empty(errors);
        Assert.Equal("http://127.0.0.1:5000/hooks", target!.Url);
    }

    [Fact]
    public async Task Without_a_signing_key_callback_urls_are_refused_and_reply_queues_taken()
    {
        var requests = Requests(secret: null);

        var (_, urlErrors) = await ReadAsync(requests, url: "https://hooks.example.com/");
        var (queue, queueErrors) = await ReadAsync(requests, replyTo: "reply-shop");

        Assert.Contains("callbacks are off", Assert.Single(urlErrors[CallbackRequests.UrlHeader]), StringComparison.Ordinal);
        Assert.Empty(queueErrors);
        Assert.Equal("reply-shop", queue!.ReplyTo);
    }

    [Theory]
    [InlineData("orders")]
    [InlineData("callbacks")]
    [InlineData("reply-")]
    [InlineData("reply-Shop")]
    [InlineData("reply--shop")]
    [InlineData("reply-shop-")]
    [InlineData("reply-a-queue-name-that-is-far-too-long-for-azure-storage-queues")]
    public async Task A_reply_queue_not_named_with_the_prefix_and_the_queue_rules_is_refused(string queue)
    {
        var (target, errors) = await ReadAsync(Requests(), replyTo: queue);

        Assert.Null(target);
        Assert.Contains("reply-", Assert.Single(errors[CallbackRequests.ReplyToHeader]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Both_targets_a_lone_correlation_id_and_a_bad_correlation_id_are_refused()
    {
        var (_, both) = await ReadAsync(Requests(), url: "https://hooks.example.com/", replyTo: "reply-shop");
        var (_, alone) = await ReadAsync(Requests(), correlationId: "cart-42");
        var (_, spaced) = await ReadAsync(Requests(), replyTo: "reply-shop", correlationId: "cart 42");
        var (_, nothing) = await ReadAsync(Requests());

        Assert.Contains("not both", Assert.Single(both[CallbackRequests.ReplyToHeader]), StringComparison.Ordinal);
        Assert.Contains(CallbackRequests.CorrelationIdHeader, alone.Keys);
        Assert.Contains(CallbackRequests.CorrelationIdHeader, spaced.Keys);
        Assert.Empty(nothing);
    }

    private static CallbackRequests Requests(string? secret = Secret, bool allowPrivate = false)
    {
        var settings = CallbackSettings.FromConfiguration(TestConfig.From(
            (CallbackSettings.SigningSecretSetting, secret), (CallbackSettings.AllowPrivateNetworksSetting, allowPrivate ? "true" : "false")));
        return new CallbackRequests(settings, new CallbackHostResolver((host, _) =>
            Dns.TryGetValue(host, out var addresses) ? Task.FromResult(addresses) : Task.FromException<IPAddress[]>(new SocketException((int)SocketError.HostNotFound))));
    }

    private static async Task<(CallbackTarget? Target, Dictionary<string, string[]> Errors)> ReadAsync(
        CallbackRequests requests, string? url = null, string? replyTo = null, string? correlationId = null)
    {
        var errors = new Dictionary<string, string[]>();
        var target = await requests.ReadAsync(url, replyTo, correlationId, "https://shop.example", errors, CancellationToken.None);
        return (target, errors);
    }
}
