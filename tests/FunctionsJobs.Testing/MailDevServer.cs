using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Serialization;

namespace FunctionsJobs.Testing;

/// <summary>
/// A real maildev (the local SMTP sink, from the repository's node_modules) on free loopback ports,
/// under scripts/with-parent.mjs like <see cref="AzuriteServer"/>. Tests read what it received
/// through its REST API (<c>GET /email</c>), and stop and start it to see SMTP outages.
/// </summary>
public sealed class MailDevServer : IAsyncDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("functionsjobs-maildev-").FullName;
    private GuardedNodeProcess? _process;

    private MailDevServer(int smtpPort, int webPort)
    {
        SmtpPort = smtpPort;
        WebPort = webPort;
        Api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{webPort}/") };
    }

    public int SmtpPort { get; }

    public int WebPort { get; }

    public HttpClient Api { get; }

    /// <summary>Settings that point the Orders job at this server.</summary>
    public IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["OrdersSmtpHost"] = "127.0.0.1",
        ["OrdersSmtpPort"] = SmtpPort.ToString(CultureInfo.InvariantCulture),
    };

    public static Task<MailDevServer> StartAsync() =>
        LoopbackPorts.StartOnFreePortsAsync(2, async ports =>
        {
            var server = new MailDevServer(ports[0], ports[1]);
            await server.StartAgainAsync().ConfigureAwait(false);
            return server;
        });

    /// <summary>Every message received so far.</summary>
    public async Task<IReadOnlyList<ReceivedMail>> MessagesAsync() =>
        await Api.GetFromJsonAsync<List<ReceivedMail>>("email").ConfigureAwait(false) ?? [];

    /// <summary>Forgets every message received so far.</summary>
    public async Task ClearAsync()
    {
        using var response = await Api.DeleteAsync("email/all").ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Stops the process; the ports stay reserved for <see cref="StartAgainAsync"/>.</summary>
    public async Task StopAsync()
    {
        var process = _process;
        _process = null;
        if (process is not null)
        {
            await process.StopAsync().ConfigureAwait(false);
        }
    }

    public async Task StartAgainAsync()
    {
        string[] arguments =
        [
            "--smtp", SmtpPort.ToString(CultureInfo.InvariantCulture), "--web", WebPort.ToString(CultureInfo.InvariantCulture),
            "--ip", "127.0.0.1", "--web-ip", "127.0.0.1", "--mail-directory", _directory,
        ];

        // It prints "MailDev webapp running at ..." and "MailDev SMTP Server running at ...".
        _process = await GuardedNodeProcess.StartAsync("maildev", Path.Combine("maildev", "bin", "maildev"), arguments, _directory, "running at", 2).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        Api.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }
}

/// <summary>A message as maildev's REST API describes it.</summary>
public sealed record ReceivedMail(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("messageId")] string? MessageId,
    [property: JsonPropertyName("subject")] string? Subject,
    [property: JsonPropertyName("to")] IReadOnlyList<ReceivedAddress> To,
    [property: JsonPropertyName("headers")] IReadOnlyDictionary<string, System.Text.Json.JsonElement> Headers)
{
    public string? OrderId => Headers.TryGetValue("x-order-id", out var value) ? value.ToString() : null;
}

public sealed record ReceivedAddress([property: JsonPropertyName("address")] string Address);
