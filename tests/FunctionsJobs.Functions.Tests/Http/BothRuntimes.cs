using FunctionsJobs.Testing;

namespace FunctionsJobs.Functions.Tests.Http;

/// <summary>
/// The Host (real Kestrel) and the Functions app (in-process) on one Azurite with the same settings,
/// so what one stores the other reads, and one request can be put to both.
/// </summary>
public sealed class BothRuntimes : IAsyncLifetime
{
    /// <summary>Small, so an oversized upload is cheap to send.</summary>
    public const int ThumbnailMaxBytes = 64 * 1024;

    private readonly AppFixture _storage = new();
    private TestHost? _host;
    private FunctionsApp? _functions;

    public TestHost Host => _host ?? throw new InvalidOperationException("not started");

    public FunctionsApp Functions => _functions ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync()
    {
        await _storage.InitializeAsync();
        var settings = new Dictionary<string, string>(_storage.Mail.Settings)
        {
            ["ThumbnailMaxBytes"] = ThumbnailMaxBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["OrdersSeedInventory"] = "true",

            // Callback URLs are checked as outside development: https and public addresses only.
            ["CallbacksSigningSecret"] = "whsec_aHR0cC1wYXJpdHktY2FsbGJhY2tzLWtleS0wMDAx",
        };
        _host = await TestHost.StartAsync(_storage.Azurite.ConnectionString, settings);
        _functions = await FunctionsApp.StartAsync(_storage, settings);
    }

    public Task<HttpAnswer> SendAsync(Runtime runtime, HttpRequestMessage request) => runtime switch
    {
        Runtime.Host => SendToHostAsync(request),
        _ => Functions.SendAsync(request),
    };

    public async Task DisposeAsync()
    {
        if (_functions is not null)
        {
            await _functions.DisposeAsync();
        }

        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        await _storage.DisposeAsync();
    }

    private async Task<HttpAnswer> SendToHostAsync(HttpRequestMessage request)
    {
        // The Functions host checks keys before the worker sees a request; on the Host a valid key is
        // part of the request: the function key, unless the case gives one (the master key of an admin route).
        if (!request.Headers.Contains("x-functions-key"))
        {
            request.Headers.TryAddWithoutValidation("x-functions-key", TestHost.FunctionKey);
        }
        using var response = await Host.Http.SendAsync(request);
        return await HttpAnswer.FromAsync(response);
    }
}

public enum Runtime
{
    Host,
    Functions,
}
