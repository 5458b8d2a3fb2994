using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;

namespace FunctionsJobs.Core.Callbacks;

/// <summary>How one try went.</summary>
/// <param name="Delivered">A 2xx answer.</param>
/// <param name="Permanent">Trying again cannot help (the address is refused, the receiver answered 410 Gone): dead-letter now.</param>
/// <param name="RetryAfter">The receiver's <c>Retry-After</c>, if it gave one.</param>
public sealed record SendResult(bool Delivered, string Detail, bool Permanent = false, TimeSpan? RetryAfter = null);

/// <summary>The address a callback would connect to is not public: refused before any packet is sent.</summary>
public sealed class CallbackAddressRefusedException(string message) : Exception(message);

/// <summary>
/// POSTs signed events, safe against server-side request forgery: every connection resolves the
/// host itself and connects only if every address is allowed (<see cref="CallbackRequests.CheckAddresses"/>),
/// so a name that turned private after intake, or an address literal, cannot reach the inside. No
/// proxy (it would connect for us), no redirects (3xx is a failed try), a bounded time per try, and
/// at most a few hundred bytes of an answer read.
/// </summary>
public sealed class CallbackHttpSender : IDisposable
{
    /// <summary>What is kept of a failed answer's body, for the record.</summary>
    private const int MaxBodyRead = 256;

    private readonly CallbackSettings _settings;
    private readonly CallbackRequests _requests;
    private readonly CallbackHostResolver _resolver;
    private readonly WebhookSigner _signer;
    private readonly TimeProvider _time;
    private readonly HttpClient _client;

    public CallbackHttpSender(CallbackSettings settings, CallbackRequests requests, CallbackHostResolver resolver, WebhookSigner signer, TimeProvider time)
    {
        _settings = settings;
        _requests = requests;
        _resolver = resolver;
        _signer = signer;
        _time = time;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = settings.Timeout,
            ConnectCallback = ConnectAsync,

            // A pooled connection was checked when it was made; recycle it so a name is checked again.
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
            MaxResponseHeadersLength = 16,
            MaxResponseDrainSize = 4096,
            ResponseDrainTimeout = TimeSpan.FromSeconds(1),
        };
        _client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        _client.DefaultRequestHeaders.UserAgent.ParseAdd("FunctionsJobs-Callbacks/1.0");
    }

    public async Task<SendResult> SendAsync(string url, CallbackEvent callbackEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(callbackEvent);
        if (_requests.CheckSyntax(url, out var uri) is { } problem)
        {
            return new SendResult(false, $"refused: {problem}", Permanent: true);
        }

        var body = callbackEvent.ToJsonBytes();
        var now = _time.GetUtcNow();
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.TryAddWithoutValidation(WebhookSigner.IdHeader, callbackEvent.Id);
        request.Headers.TryAddWithoutValidation(WebhookSigner.TimestampHeader, now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation(WebhookSigner.SignatureHeader, _signer.Sign(callbackEvent.Id, now, body));

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_settings.Timeout);
        try
        {
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (status is >= 200 and <= 299)
            {
                return new SendResult(true, $"{status}");
            }

            var excerpt = await ReadExcerptAsync(response, timeout.Token).ConfigureAwait(false);
            var detail = status is >= 300 and <= 399
                ? $"{status} redirect to '{response.Headers.Location}' (redirects are not followed: give the final URL)"
                : $"{status} {response.ReasonPhrase}{excerpt}";
            return new SendResult(false, detail, Permanent: response.StatusCode == HttpStatusCode.Gone, RetryAfter: RetryAfterOf(response, now));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new SendResult(false, $"no answer within {_settings.Timeout}");
        }
        catch (HttpRequestException ex) when (Find<CallbackAddressRefusedException>(ex) is { } refused)
        {
            return new SendResult(false, $"refused: {refused.Message}", Permanent: true);
        }
        catch (HttpRequestException ex)
        {
            return new SendResult(false, ex.InnerException is { } inner ? $"{ex.Message} ({inner.Message})" : ex.Message);
        }
    }

    public void Dispose() => _client.Dispose();

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = await _resolver.ResolveAsync(host, cancellationToken).ConfigureAwait(false);
        if (_requests.CheckAddresses(host, addresses) is { } problem)
        {
            throw new CallbackAddressRefusedException(problem);
        }

        SocketException? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                // Connect to the address that was checked, never to the name (which could resolve anew).
                await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), cancellationToken).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException ex)
            {
                socket.Dispose();
                last = ex;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw last ?? new SocketException((int)SocketError.HostNotFound);
    }

    private static async Task<string> ReadExcerptAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxBodyRead];
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var read = await stream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            var text = new string([.. System.Text.Encoding.UTF8.GetString(buffer, 0, read).Select(c => char.IsControl(c) ? ' ' : c)]).Trim();
            return text.Length == 0 ? string.Empty : $": {text}";
        }
    }

    private static TimeSpan? RetryAfterOf(HttpResponseMessage response, DateTimeOffset now) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } when date > now => date - now,
        _ => null,
    };

    private static T? Find<T>(Exception? ex)
        where T : Exception
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is T found)
            {
                return found;
            }
        }

        return null;
    }
}
