using System.Globalization;
using FunctionsJobs.Host;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace FunctionsJobs.Testing;

/// <summary>
/// The real Host (Kestrel on a free loopback port) against a given storage account, isolated from
/// the developer's local.settings.json by a content root of its own.
/// </summary>
public sealed class TestHost : IAsyncDisposable
{
    public const string FunctionKey = "test-function-key-0001";
    public const string MasterKey = "test-master-key-000001";

    private readonly string _contentRoot;

    private TestHost(WebApplication app, string contentRoot, LogSink logs)
    {
        App = app;
        _contentRoot = contentRoot;
        Logs = logs;
        Http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
    }

    public WebApplication App { get; }

    public HttpClient Http { get; }

    public LogSink Logs { get; }

    public IServiceProvider Services => App.Services;

    /// <param name="settings">Settings as the command line gives them, e.g. <c>AzureFunctionsJobHost:extensions:queues:batchSize</c>.</param>
    /// <param name="map">Adds endpoints before the Host starts, e.g. a test route under /api.</param>
    public static async Task<TestHost> StartAsync(
        string storageConnectionString, IReadOnlyDictionary<string, string>? settings = null, Action<WebApplicationBuilder>? configure = null, Action<WebApplication>? map = null)
    {
        var contentRoot = Directory.CreateTempSubdirectory("functionsjobs-host-").FullName;
        var all = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["urls"] = "http://127.0.0.1:0",
            ["environment"] = "Development",
            ["contentRoot"] = contentRoot,
            ["AzureWebJobsStorage"] = storageConnectionString,
            ["FunctionsJobs:FunctionKey"] = FunctionKey,
            ["FunctionsJobs:MasterKey"] = MasterKey,
            ["AzureFunctionsJobHost:extensions:queues:maxPollingInterval"] = "00:00:00.500",
            ["AzureFunctionsJobHost:extensions:queues:visibilityTimeout"] = "00:00:00",

            // host.json (beside the test binaries) retries failed timer runs after seconds; a test
            // that wants retries asks for them, the others see each failure stand.
            ["AzureFunctionsJobHost:retry:maxRetryCount"] = "0",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            all[key] = value;
        }

        var logs = new LogSink();
        var args = all.Select(kv => string.Create(CultureInfo.InvariantCulture, $"--{kv.Key}={kv.Value}")).ToArray();
        var app = HostApplication.Build(args, builder =>
        {
            builder.Logging.AddProvider(logs);
            builder.Logging.SetMinimumLevel(LogLevel.Debug);
            configure?.Invoke(builder);
        });
        map?.Invoke(app);
        await app.StartAsync().ConfigureAwait(false);
        return new TestHost(app, contentRoot, logs);
    }

    public HttpRequestMessage Request(HttpMethod method, string path, string? key = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (key is not null)
        {
            request.Headers.Add("x-functions-key", key);
        }

        return request;
    }

    public async Task StopAsync(TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(1));
        await App.StopAsync(cancel.Token).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.DisposeAsync().ConfigureAwait(false);
        try
        {
            Directory.Delete(_contentRoot, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }
}
