using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Serialization;

namespace FunctionsJobs.Testing;

/// <summary>
/// A real maildev (the local SMTP sink, from the repository's node_modules) on free loopback ports,
/// under scripts/with-parent.mjs like <see cref="AzuriteServer"/>. Tests read what it received
/// through its REST API (<c>GET /email</c>), and stop and start it to see SMTP outages.
/// </summary>
public sealed class MailDevServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly string _directory = Directory.CreateTempSubdirectory("functionsjobs-maildev-").FullName;
    private readonly StringBuilder _output = new();
    private Process? _process;

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

    public static async Task<MailDevServer> StartAsync()
    {
        var ports = LoopbackPorts.Free(2);
        var server = new MailDevServer(ports[0], ports[1]);
        await server.StartAgainAsync().ConfigureAwait(false);
        return server;
    }

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
        if (process is null)
        {
            return;
        }

        _process = null;
        if (!process.HasExited)
        {
            process.StandardInput.Close();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync().ConfigureAwait(false);
            }
        }

        process.Dispose();
    }

    public async Task StartAgainAsync()
    {
        var maildev = Path.Combine(RepositoryPaths.Root, "node_modules", "maildev", "bin", "maildev");
        if (!File.Exists(maildev))
        {
            throw new InvalidOperationException($"maildev is not installed ({maildev} missing): run 'npm ci' in {RepositoryPaths.Root}");
        }

        var start = new ProcessStartInfo("node")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            Path.Combine(RepositoryPaths.Root, "scripts", "with-parent.mjs"), "node", maildev,
            "--smtp", SmtpPort.ToString(CultureInfo.InvariantCulture), "--web", WebPort.ToString(CultureInfo.InvariantCulture),
            "--ip", "127.0.0.1", "--web-ip", "127.0.0.1", "--mail-directory", _directory,
        })
        {
            start.ArgumentList.Add(argument);
        }

        var listening = 0;
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        void OnLine(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (_output)
            {
                _output.AppendLine(line);
            }

            // "MailDev webapp running at ..." and "MailDev SMTP Server running at ...".
            if (line.Contains("running at", StringComparison.Ordinal) && Interlocked.Increment(ref listening) == 2)
            {
                ready.TrySetResult();
            }
        }

        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException($"maildev exited during start-up:\n{Output}"));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        try
        {
            await ready.Task.WaitAsync(StartTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            await StopAsync().ConfigureAwait(false);
            throw new InvalidOperationException($"maildev did not report listening within {StartTimeout}:\n{Output}");
        }
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

    private string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
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
