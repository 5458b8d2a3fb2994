using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace FunctionsJobs.Testing;

/// <summary>One request the receiver got: the event's id, type and resource, whether it verified, and what it answered.</summary>
/// <param name="Answer">The status answered; 0 for a dropped connection, -1 when the sender gave up waiting first.</param>
public sealed record ReceivedCallback(string? EventId, string? Type, string? ResourceId, string? Status, string? CorrelationId, string? StatusUrl, string? Problem, int Answer, DateTimeOffset At, JsonElement? Body, string PathAndQuery);

/// <summary>
/// A webhook receiver as a shop front end would run one: Kestrel on a loopback port, verifying each
/// request with <see cref="StandardWebhookVerifier"/> and recording it. What it answers is up to the
/// test (<see cref="Respond"/>): 200 by default, or a failure, a slow answer, a redirect, a dropped connection.
/// </summary>
public sealed class CallbackReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly StandardWebhookVerifier _verifier;
    private readonly ConcurrentQueue<ReceivedCallback> _received = new();
    private readonly ConditionWaiters<ConcurrentQueue<ReceivedCallback>> _waiters;

    private CallbackReceiver(WebApplication app, StandardWebhookVerifier verifier)
    {
        _app = app;
        _verifier = verifier;
        _waiters = new ConditionWaiters<ConcurrentQueue<ReceivedCallback>>(_received);
    }

    /// <summary>
    /// Chooses the answer to a request, given the event id, how many requests with that id came
    /// before it, and a token that fires when the sender hangs up. 0 drops the connection.
    /// </summary>
    public Func<string?, int, CancellationToken, Task<int>> Respond { get; set; } = (_, _, _) => Task.FromResult(200);

    public int Port { get; private set; }

    /// <summary>The URL of <paramref name="path"/> on this receiver.</summary>
    public string Url(string path = "/hooks") => $"http://127.0.0.1:{Port}{path}";

    public IReadOnlyCollection<ReceivedCallback> Received => _received;

    /// <summary>Requests answered 2xx, one per event id (the first).</summary>
    public IReadOnlyDictionary<string, ReceivedCallback> Delivered =>
        _received.Where(r => r.Answer is >= 200 and < 300 && r.EventId is not null).GroupBy(r => r.EventId!).ToDictionary(g => g.Key, g => g.First());

    public static async Task<CallbackReceiver> StartAsync(string secret)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(o => o.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http1));
        var app = builder.Build();
        var receiver = new CallbackReceiver(app, new StandardWebhookVerifier(secret));
        app.Run(receiver.HandleAsync);
        await app.StartAsync().ConfigureAwait(false);
        receiver.Port = new Uri(app.Urls.First()).Port;
        return receiver;
    }

    public Task WaitUntilAsync(Func<IReadOnlyCollection<ReceivedCallback>, bool> condition, TimeSpan timeout) => _waiters.WaitUntilAsync(condition, timeout);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body).ConfigureAwait(false);
        var bytes = body.ToArray();
        var headers = context.Request.Headers;
        var id = headers["webhook-id"].ToString();
        var problem = _verifier.Verify(id, headers["webhook-timestamp"], headers["webhook-signature"], bytes, DateTimeOffset.UtcNow);
        JsonElement? json = null;
        try
        {
            json = JsonDocument.Parse(bytes).RootElement.Clone();
        }
        catch (JsonException)
        {
            problem ??= "the body is not JSON";
        }

        var before = _received.Count(r => r.EventId == id);
        int answer;
        try
        {
            answer = problem is null ? await Respond(id, before, context.RequestAborted).ConfigureAwait(false) : 401;
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            answer = -1;
        }

        if (answer <= 0)
        {
            // Drop the connection without an answer, as a crashing receiver does.
            context.Abort();
        }
        else if (answer is >= 300 and < 400)
        {
            context.Response.StatusCode = answer;
            context.Response.Headers.Location = $"http://127.0.0.1:{Port}/redirected";
        }
        else
        {
            context.Response.StatusCode = answer;
        }

        _waiters.Change(() => _received.Enqueue(new ReceivedCallback(
            id, Text(json, "type"), Text(json, "data", "id"), Text(json, "data", "status"), Text(json, "correlationId"), Text(json, "data", "statusUrl"),
            context.Request.Path == "/redirected" ? "followed a redirect" : problem, answer, DateTimeOffset.UtcNow, json, $"{context.Request.Path}{context.Request.QueryString}")));
    }

    private static string? Text(JsonElement? json, params string[] path)
    {
        if (json is not { ValueKind: JsonValueKind.Object } element)
        {
            return null;
        }

        foreach (var name in path)
        {
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out element))
            {
                return null;
            }
        }

        return element.ValueKind == JsonValueKind.String ? element.GetString() : null;
    }
}
