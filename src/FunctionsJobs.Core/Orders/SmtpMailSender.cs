using System.Collections.Concurrent;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace FunctionsJobs.Core.Orders;

/// <summary>Sends one message; throws if the server did not accept it.</summary>
public interface IMailSender
{
    Task SendAsync(MimeMessage message, CancellationToken cancellationToken);
}

/// <summary>
/// MailKit over SMTP (<c>OrdersSmtpHost</c>/<c>OrdersSmtpPort</c>, maildev locally). Connections
/// are kept in a small pool: an SmtpClient serves one message at a time, and a new connection per
/// message would cost a handshake and greeting each time. A pooled connection the server has
/// dropped is replaced once before the send counts as failed.
/// </summary>
public sealed class SmtpMailSender(OrdersOptions options) : IMailSender, IAsyncDisposable
{
    private const int PoolSize = 8;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly ConcurrentBag<SmtpClient> _idle = [];

    public async Task SendAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var client = _idle.TryTake(out var pooled) ? pooled : null;
        try
        {
            if (client is not null)
            {
                try
                {
                    await client.SendAsync(message, cancellationToken).ConfigureAwait(false);
                    Return(client);
                    return;
                }
                catch (Exception ex) when (ex is ServiceNotConnectedException or SmtpProtocolException or IOException)
                {
                    client.Dispose();
                }
            }

            client = await ConnectAsync(cancellationToken).ConfigureAwait(false);
            await client.SendAsync(message, cancellationToken).ConfigureAwait(false);
            Return(client);
        }
        catch
        {
            client?.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        while (_idle.TryTake(out var client))
        {
            try
            {
                await client.DisconnectAsync(quit: true).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or SmtpProtocolException or ServiceNotConnectedException)
            {
                // Closing a connection the server already dropped.
            }

            client.Dispose();
        }
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
}
