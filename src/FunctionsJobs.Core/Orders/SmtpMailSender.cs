using System.Collections.Concurrent;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Logging;
using MimeKit;

namespace FunctionsJobs.Core.Orders;

/// <summary>Sends one message; throws if the server did not take it.</summary>
public interface IMailSender
{
    /// <exception cref="MailOutcomeUnknownException">
    /// The message data went out but the server's answer did not come back: it may have taken the
    /// message. Sending again could deliver a second copy.
    /// </exception>
    Task SendAsync(MimeMessage message, CancellationToken cancellationToken);
}

/// <summary>The message data reached the wire and the server's answer was lost: it may or may not have taken the message.</summary>
public sealed class MailOutcomeUnknownException(string message, Exception inner) : Exception(message, inner);

/// <summary>
/// MailKit over SMTP (<c>OrdersSmtpHost</c>/<c>OrdersSmtpPort</c>, maildev locally). Connections
/// are kept in a small pool: an SmtpClient serves one message at a time, and a new connection per
/// message would cost a handshake and greeting each time.
/// <para>
/// Servers close connections that stay idle (maildev after 60 s with "421 Timeout - closing
/// connection", others after minutes, some without a word, a NAT by forgetting them), and the
/// client only learns it on its next command. So a send on a pooled connection that fails before
/// any of the message data went out, whatever MailKit throws for it, is repeated once on a new
/// connection: the server cannot have the message, so nothing is sent twice, and a stale
/// connection never costs a delivery. (A NOOP before each send would find most of them too, at
/// one round trip per message.) Once the message data went out, a failure that is not the
/// server's own refusal (<see cref="SmtpCommandException"/>) leaves the outcome unknown and is
/// reported as <see cref="MailOutcomeUnknownException"/>, never retried here.
/// </para>
/// </summary>
public sealed partial class SmtpMailSender(OrdersOptions options, ILogger<SmtpMailSender> logger) : IMailSender, IAsyncDisposable
{
    private const int PoolSize = 8;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly ConcurrentBag<SmtpClient> _idle = [];

    public async Task SendAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (_idle.TryTake(out var pooled))
        {
            var data = new DataProgress();
            try
            {
                await pooled.SendAsync(message, cancellationToken, data).ConfigureAwait(false);
                Return(pooled);
                return;
            }
            catch (Exception ex) when (!data.Started && !cancellationToken.IsCancellationRequested)
            {
                LogStaleConnection(options.SmtpHost, options.SmtpPort, ex.GetType().Name, ex.Message);
                pooled.Dispose();
            }
            catch (Exception ex)
            {
                pooled.Dispose();
                throw Classify(ex, data);
            }
        }

        var client = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        var sent = new DataProgress();
        try
        {
            await client.SendAsync(message, cancellationToken, sent).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            client.Dispose();
            throw Classify(ex, sent);
        }

        Return(client);
    }

    public async ValueTask DisposeAsync()
    {
        while (_idle.TryTake(out var client))
        {
            try
            {
                await client.DisconnectAsync(quit: true).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or SmtpProtocolException or ServiceNotConnectedException or SmtpCommandException or TimeoutException)
            {
                // Closing a connection the server already dropped.
            }

            client.Dispose();
        }
    }

    /// <summary>What a failed send means: the server refused or never saw the message (throw it as it is), or it may have it.</summary>
    private Exception Classify(Exception ex, DataProgress data)
    {
        if (!data.Started || ex is SmtpCommandException)
        {
            return ex;
        }

        LogOutcomeUnknown(options.SmtpHost, options.SmtpPort, ex.GetType().Name, ex.Message);
        return new MailOutcomeUnknownException("the message data was sent but the server's answer was lost", ex);
    }

    private async Task<SmtpClient> ConnectAsync(CancellationToken cancellationToken)
    {
        var client = new SmtpClient { Timeout = (int)Timeout.TotalMilliseconds };
        try
        {
            await client.ConnectAsync(options.SmtpHost, options.SmtpPort, Enum.Parse<SecureSocketOptions>(options.SmtpSecurity, ignoreCase: true), cancellationToken).ConfigureAwait(false);
            if (!string.IsNullOrEmpty(options.SmtpUserName))
            {
                await client.AuthenticateAsync(options.SmtpUserName, options.SmtpPassword ?? string.Empty, cancellationToken).ConfigureAwait(false);
            }

            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    private void Return(SmtpClient client)
    {
        if (_idle.Count < PoolSize)
        {
            _idle.Add(client);
        }
        else
        {
            client.Dispose();
        }
    }

    /// <summary>
    /// MailKit reports progress only while it writes the message data (after the server's 354), so
    /// a first report means the data began to go out. Counted from the first byte, not the last:
    /// a connection lost in the middle of a small message is rare, and a message counted as sent
    /// that was not is one lost e-mail, where the other way round would be a second copy.
    /// </summary>
    private sealed class DataProgress : ITransferProgress
    {
        private int _started;

        public bool Started => Volatile.Read(ref _started) == 1;

        public void Report(long bytesTransferred, long totalSize) => Report(bytesTransferred);

        public void Report(long bytesTransferred) => Volatile.Write(ref _started, 1);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "SMTP {SmtpHost}:{SmtpPort}: a pooled connection failed before the message went out ({ErrorType}: {Error}); sending on a new connection")]
    private partial void LogStaleConnection(string smtpHost, int smtpPort, string errorType, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SMTP {SmtpHost}:{SmtpPort}: the message data was sent and the answer was lost ({ErrorType}: {Error}); it counts as sent and is not sent again")]
    private partial void LogOutcomeUnknown(string smtpHost, int smtpPort, string errorType, string error);
}
