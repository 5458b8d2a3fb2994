using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FunctionsJobs.Testing;

/// <summary>
/// An HTTP proxy in front of a real Azurite, one loopback port per storage service, that delays,
/// hangs or fails the requests a test picks, on demand. Everything else passes through unchanged
/// (requests are signed over the path, not the port, so the storage clients need only its
/// connection string). Fault injection where the fault is the point: a lease renewal that never
/// answers, a Tables outage during a poison move, a lost response.
/// </summary>
public sealed class StorageFaultProxy : IAsyncDisposable
{
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Connection", "Keep-Alive", "Transfer-Encoding", "Expect", "Proxy-Connection", "Upgrade", "TE", "Trailer",
    };

    private readonly HttpClient _client = new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseProxy = false,
    })
    { Timeout = Timeout.InfiniteTimeSpan };

    private readonly List<Rule> _rules = [];
    private readonly List<ProxiedRequest> _seen = [];
    private readonly List<(Func<ProxiedRequest, bool> Match, TaskCompletionSource<ProxiedRequest> Signal)> _waiters = [];
    private readonly WebApplication _app;
    private readonly Dictionary<int, (StorageService Service, int Target)> _routes = [];

    private StorageFaultProxy()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = null;
            for (var i = 0; i < 3; i++)
            {
                kestrel.Listen(IPAddress.Loopback, 0);
            }
        });
        _app = builder.Build();
        _app.Run(ForwardAsync);
    }

    public int BlobPort { get; private set; }

    public int QueuePort { get; private set; }

    public int TablePort { get; private set; }

    /// <summary>Azurite's connection string with every endpoint through the proxy.</summary>
    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={AzuriteServer.AccountName};AccountKey={AzuriteServer.AccountKey};" +
        $"BlobEndpoint=http://127.0.0.1:{BlobPort}/{AzuriteServer.AccountName};QueueEndpoint=http://127.0.0.1:{QueuePort}/{AzuriteServer.AccountName};TableEndpoint=http://127.0.0.1:{TablePort}/{AzuriteServer.AccountName};";

    /// <summary>Every request seen so far, faulted or not, in arrival order.</summary>
    public IReadOnlyList<ProxiedRequest> Seen
    {
        get
        {
            lock (_seen)
            {
                return [.. _seen];
            }
        }
    }

    public static async Task<StorageFaultProxy> StartAsync(AzuriteServer azurite)
    {
        ArgumentNullException.ThrowIfNull(azurite);
        var proxy = new StorageFaultProxy();
        await proxy._app.StartAsync().ConfigureAwait(false);

        // Kestrel lists the bound addresses in the order of its Listen calls.
        var ports = proxy._app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses
            .Select(a => new Uri(a).Port).ToArray();
        (proxy.BlobPort, proxy.QueuePort, proxy.TablePort) = (ports[0], ports[1], ports[2]);
        proxy._routes[ports[0]] = (StorageService.Blob, azurite.BlobPort);
        proxy._routes[ports[1]] = (StorageService.Queue, azurite.QueuePort);
        proxy._routes[ports[2]] = (StorageService.Table, azurite.TablePort);
        return proxy;
    }

    /// <summary>
    /// Applies <paramref name="fault"/> to the next <paramref name="times"/> requests that match
    /// (rules added first are tried first). Disposing the result removes the rule.
    /// </summary>
    public IDisposable Inject(Func<ProxiedRequest, bool> match, StorageFault fault, int times = int.MaxValue)
    {
        var rule = new Rule(match, fault, times, this);
        lock (_rules)
        {
            _rules.Add(rule);
        }

        return rule;
    }

    /// <summary>Completes with the first request, already seen or still to come, that matches.</summary>
    public Task<ProxiedRequest> WaitForAsync(Func<ProxiedRequest, bool> match, TimeSpan timeout)
    {
        var signal = new TaskCompletionSource<ProxiedRequest>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_seen)
        {
            var existing = _seen.FirstOrDefault(match);
            if (existing is not null)
            {
                return Task.FromResult(existing);
            }

            _waiters.Add((match, signal));
        }

        return signal.Task.WaitAsync(timeout);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _client.Dispose();
    }

    private async Task ForwardAsync(HttpContext context)
    {
        var (service, target) = _routes[context.Connection.LocalPort];
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var request = new ProxiedRequest(service, context.Request.Method, context.Request.Path.Value ?? "/", context.Request.QueryString.Value ?? "", headers);
        Record(request);
        var aborted = context.RequestAborted;
        try
        {
            var fault = Take(request);
            switch (fault)
            {
                case StorageFault.HangFault:
                    await Task.Delay(Timeout.Infinite, aborted).ConfigureAwait(false);
                    return;
                case StorageFault.FailFault fail:
                    await WriteErrorAsync(context, service, fail.Status, fail.ErrorCode).ConfigureAwait(false);
                    return;
                case StorageFault.DelayFault delay:
                    await Task.Delay(delay.Duration, aborted).ConfigureAwait(false);
                    break;
            }

            using var outgoing = await CopyRequestAsync(context, target, aborted).ConfigureAwait(false);
            using var response = await _client.SendAsync(outgoing, HttpCompletionOption.ResponseHeadersRead, aborted).ConfigureAwait(false);
            if (fault is StorageFault.LoseResponseFault lost)
            {
                await response.Content.LoadIntoBufferAsync(aborted).ConfigureAwait(false);
                await WriteErrorAsync(context, service, lost.Status, lost.ErrorCode).ConfigureAwait(false);
                return;
            }

            context.Response.StatusCode = (int)response.StatusCode;
            foreach (var header in response.Headers.Concat(response.Content.Headers))
            {
                if (!HopByHop.Contains(header.Key))
                {
                    context.Response.Headers[header.Key] = header.Value.ToArray();
                }
            }

            await response.Content.CopyToAsync(context.Response.Body, aborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client gave up (its own deadline): nothing left to answer.
        }
    }

    private static async Task<HttpRequestMessage> CopyRequestAsync(HttpContext context, int target, CancellationToken cancellationToken)
    {
        // The raw target keeps the path and query byte for byte, as the client signed them.
        var rawTarget = context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget;
        var outgoing = new HttpRequestMessage(new HttpMethod(context.Request.Method), new Uri($"http://127.0.0.1:{target}{rawTarget}"));
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, cancellationToken).ConfigureAwait(false);
        if (body.Length > 0 || context.Request.ContentLength is not null)
        {
            outgoing.Content = new ByteArrayContent(body.ToArray());
        }

        foreach (var header in context.Request.Headers)
        {
            if (HopByHop.Contains(header.Key) || header.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (!outgoing.Headers.TryAddWithoutValidation(header.Key, (IEnumerable<string>)header.Value))
            {
                outgoing.Content?.Headers.TryAddWithoutValidation(header.Key, (IEnumerable<string>)header.Value);
            }
        }

        return outgoing;
    }

    private static Task WriteErrorAsync(HttpContext context, StorageService service, int status, string errorCode)
    {
        context.Response.StatusCode = status;
        context.Response.Headers["x-ms-error-code"] = errorCode;
        if (service == StorageService.Table)
        {
            context.Response.ContentType = "application/json;odata=minimalmetadata";
            var error = new { code = errorCode, message = new { lang = "en-US", value = "injected by StorageFaultProxy" } };
            return context.Response.WriteAsync(System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object> { ["odata.error"] = error }));
        }

        context.Response.ContentType = "application/xml";
        return context.Response.WriteAsync($"""<?xml version="1.0" encoding="utf-8"?><Error><Code>{errorCode}</Code><Message>injected by StorageFaultProxy</Message></Error>""");
    }

    private void Record(ProxiedRequest request)
    {
        lock (_seen)
        {
            _seen.Add(request);
            foreach (var waiter in _waiters.Where(w => w.Match(request)).ToList())
            {
                waiter.Signal.TrySetResult(request);
                _waiters.Remove(waiter);
            }
        }
    }

    private StorageFault? Take(ProxiedRequest request)
    {
        lock (_rules)
        {
            foreach (var rule in _rules)
            {
                if (rule.Remaining > 0 && rule.Match(request))
                {
                    rule.Remaining--;
                    return rule.Fault;
                }
            }
        }

        return null;
    }

    private sealed class Rule(Func<ProxiedRequest, bool> match, StorageFault fault, int times, StorageFaultProxy owner) : IDisposable
    {
        public Func<ProxiedRequest, bool> Match { get; } = match;

        public StorageFault Fault { get; } = fault;

        /// <summary>Read and written under the owner's rules lock.</summary>
        public int Remaining { get; set; } = times;

        public void Dispose()
        {
            lock (owner._rules)
            {
                owner._rules.Remove(this);
            }
        }
    }
}
