using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace FunctionsJobs.Testing;

/// <summary>What the server does with a connection that stayed idle for <see cref="FaultySmtpServer.IdleTimeout"/>.</summary>
public enum IdleFault
{
    /// <summary>"421 Timeout - closing connection", then close: what maildev (smtp-server) does after 60 s.</summary>
    Reply421,

    /// <summary>Close without a word (FIN), as a server or a load balancer dropping idle connections does.</summary>
    Close,

    /// <summary>Reset the connection (RST), as a NAT or a firewall that forgot it does.</summary>
    Reset,
}

/// <summary>What the server answers once the message data has arrived (the terminating dot).</summary>
public enum DataFault
{
    /// <summary>"250 OK": the message is taken.</summary>
    None,

    /// <summary>Takes the message, then closes the connection without answering.</summary>
    CloseWithoutReply,

    /// <summary>Takes the message and never answers: the client times out.</summary>
    NeverReply,
}

/// <summary>A message the server took, as the lines it received (dot-stuffing removed).</summary>
public sealed record SmtpReceivedMessage(string From, IReadOnlyList<string> To, string Data)
{
    public string? Header(string name) => Data.Split("\r\n").TakeWhile(l => l.Length > 0)
        .Where(l => l.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase)).Select(l => l[(name.Length + 1)..].Trim()).FirstOrDefault();

    public string? OrderId => Header("X-Order-Id");

    public string? MessageId => Header("Message-Id")?.Trim('<', '>');
}

/// <summary>
/// A small SMTP server on a free loopback port that speaks enough SMTP for MailKit (EHLO with
/// PIPELINING, MAIL, RCPT, DATA, RSET, NOOP, QUIT) and injects the faults real servers show:
/// idle connections dropped after <see cref="IdleTimeout"/> (maildev after 60 s, real servers
/// after minutes) and answers lost after the message data. Faults can change while it runs;
/// tests await its counters instead of sleeping.
/// </summary>
public sealed class FaultySmtpServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _connections = [];
    private readonly State _state = new();
    private readonly ConditionWaiters<State> _waiters;
    private readonly Task _accepting;

    private FaultySmtpServer()
    {
        _waiters = new ConditionWaiters<State>(_state);
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    public int Port { get; }

    /// <summary>Settings that point the Orders job at this server.</summary>
    public IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["OrdersSmtpHost"] = "127.0.0.1",
        ["OrdersSmtpPort"] = Port.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>How long a connection may wait for the client's next command; null: forever.</summary>
    public TimeSpan? IdleTimeout { get; set; }

    public IdleFault IdleFault { get; set; } = IdleFault.Reply421;

    public DataFault DataFault { get; set; } = DataFault.None;

    public IReadOnlyList<SmtpReceivedMessage> Messages
    {
        get
        {
            lock (_state)
            {
                return [.. _state.Messages];
            }
        }
    }

    /// <summary>Connections accepted so far.</summary>
    public int Connections
    {
        get
        {
            lock (_state)
            {
                return _state.Connections;
            }
        }
    }

    public static FaultySmtpServer Start() => new();

    /// <summary>Completes once <paramref name="count"/> connections in all were closed by the server for being idle.</summary>
    public Task WaitForIdleClosesAsync(int count, TimeSpan timeout) => _waiters.WaitUntilAsync(s => s.IdleCloses >= count, timeout);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        Task[] connections;
        lock (_connections)
        {
            connections = [.. _connections];
        }

        await Task.WhenAll([_accepting, .. connections]).ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            Update(s => s.Connections++);
            lock (_connections)
            {
                _connections.RemoveAll(t => t.IsCompleted);
                _connections.Add(ServeAsync(client));
            }
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        try
        {
            var stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.Latin1);
            await WriteAsync(stream, "220 faulty.test ESMTP ready").ConfigureAwait(false);
            string? from = null;
            var to = new List<string>();
            while (true)
            {
                var line = await ReadLineAsync(reader).ConfigureAwait(false);
                if (line is null)
                {
                    if (!_stop.IsCancellationRequested)
                    {
                        await DropIdleAsync(client, stream).ConfigureAwait(false);
                    }

                    return;
                }

                var verb = line.Split(' ', 2)[0].ToUpperInvariant();
                switch (verb)
                {
                    case "EHLO":
                        await WriteAsync(stream, "250-faulty.test\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 SMTPUTF8").ConfigureAwait(false);
                        break;
                    case "HELO":
                    case "NOOP":
                        await WriteAsync(stream, "250 OK").ConfigureAwait(false);
                        break;
                    case "RSET":
                        (from, to) = (null, []);
                        await WriteAsync(stream, "250 OK").ConfigureAwait(false);
                        break;
                    case "MAIL":
                        (from, to) = (Address(line), []);
                        await WriteAsync(stream, "250 OK").ConfigureAwait(false);
                        break;
                    case "RCPT":
                        to.Add(Address(line));
                        await WriteAsync(stream, "250 OK").ConfigureAwait(false);
                        break;
                    case "DATA":
                        await WriteAsync(stream, "354 End data with <CR><LF>.<CR><LF>").ConfigureAwait(false);
                        var data = await ReadDataAsync(reader).ConfigureAwait(false);
                        if (data is null)
                        {
                            return;
                        }

                        var message = new SmtpReceivedMessage(from ?? string.Empty, to, data);
                        Update(s => s.Messages.Add(message));
                        (from, to) = (null, []);
                        switch (DataFault)
                        {
                            case DataFault.CloseWithoutReply:
                                return;
                            case DataFault.NeverReply:
                                // Hold the connection open without a word until the client gives up.
                                while (await reader.ReadLineAsync(_stop.Token).ConfigureAwait(false) is not null)
                                {
                                }

                                return;
                        }

                        await WriteAsync(stream, "250 OK queued").ConfigureAwait(false);
                        break;
                    case "QUIT":
                        await WriteAsync(stream, "221 Bye").ConfigureAwait(false);
                        return;
                    default:
                        await WriteAsync(stream, "502 Command not implemented").ConfigureAwait(false);
                        break;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The client went away, or the server stops.
        }
    }

    /// <summary>The next command line, or null when the connection stayed idle past <see cref="IdleTimeout"/>.</summary>
    private async Task<string?> ReadLineAsync(StreamReader reader)
    {
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        if (IdleTimeout is { } timeout)
        {
            idle.CancelAfter(timeout);
        }

        try
        {
            return await reader.ReadLineAsync(idle.Token).ConfigureAwait(false) ?? throw new IOException("the client closed the connection");
        }
        catch (OperationCanceledException) when (!_stop.IsCancellationRequested)
        {
            return null;
        }
    }

    private async Task DropIdleAsync(TcpClient client, NetworkStream stream)
    {
        switch (IdleFault)
        {
            case IdleFault.Reply421:
                await WriteAsync(stream, "421 Timeout - closing connection").ConfigureAwait(false);
                break;
            case IdleFault.Reset:
                client.Client.LingerState = new LingerOption(true, 0);
                break;
        }

        client.Client.Close();
        Update(s => s.IdleCloses++);
    }

    private async Task<string?> ReadDataAsync(StreamReader reader)
    {
        var data = new StringBuilder();
        while (await reader.ReadLineAsync(_stop.Token).ConfigureAwait(false) is { } line)
        {
            if (line == ".")
            {
                return data.ToString();
            }

            data.Append(line.StartsWith('.') ? line[1..] : line).Append("\r\n");
        }

        return null;
    }

    private static string Address(string line)
    {
        var start = line.IndexOf('<', StringComparison.Ordinal);
        var end = line.IndexOf('>', StringComparison.Ordinal);
        return start >= 0 && end > start ? line[(start + 1)..end] : string.Empty;
    }

    /// <summary>Changes the counters under the lock their readers take, and wakes the waits they satisfy.</summary>
    private void Update(Action<State> change) => _waiters.Change(() =>
    {
        lock (_state)
        {
            change(_state);
        }
    });

    private async Task WriteAsync(NetworkStream stream, string reply) =>
        await stream.WriteAsync(Encoding.ASCII.GetBytes(reply + "\r\n"), _stop.Token).ConfigureAwait(false);

    private sealed class State
    {
        public List<SmtpReceivedMessage> Messages { get; } = [];

        public int Connections { get; set; }

        public int IdleCloses { get; set; }
    }
}
