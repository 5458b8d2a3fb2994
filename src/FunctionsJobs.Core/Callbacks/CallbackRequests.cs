using System.Net;
using System.Net.Sockets;
using FunctionsJobs.Core.Storage;

namespace FunctionsJobs.Core.Callbacks;

/// <summary>
/// Checks what a caller asked for at intake (the <c>Callback-Url</c>, <c>Reply-To</c> and
/// <c>Correlation-Id</c> headers of <c>POST /api/orders</c> and <c>POST /api/images</c>) and makes
/// it a <see cref="CallbackTarget"/>, or names each header that is wrong. Unless
/// <see cref="CallbackSettings.AllowPrivateNetworks"/>, a URL must be https and every address its
/// host resolves to public; the sender checks the addresses again on every connect.
/// </summary>
public sealed class CallbackRequests(CallbackSettings settings, CallbackHostResolver resolver)
{
    public const string UrlHeader = "Callback-Url";
    public const string ReplyToHeader = "Reply-To";
    public const string CorrelationIdHeader = "Correlation-Id";
    public const int MaxUrlLength = 2048;
    public const int MaxCorrelationIdLength = 128;

    /// <summary>Name resolution at intake is bounded, so a slow DNS server cannot hold a request.</summary>
    private static readonly TimeSpan ResolveTimeout = TimeSpan.FromSeconds(5);

    /// <returns>The target, or null when none was asked for or something is wrong (then <paramref name="errors"/> says what).</returns>
    public async Task<CallbackTarget?> ReadAsync(
        string? url, string? replyTo, string? correlationId, string baseUrl, IDictionary<string, string[]> errors, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (url is null && replyTo is null)
        {
            if (correlationId is not null)
            {
                errors[CorrelationIdHeader] = [$"needs {UrlHeader} or {ReplyToHeader}: it is echoed in the event sent there"];
            }

            return null;
        }

        var before = errors.Count;
        if (url is not null && replyTo is not null)
        {
            errors[ReplyToHeader] = [$"give {UrlHeader} or {ReplyToHeader}, not both"];
        }

        if (correlationId is not null && (correlationId.Length is 0 or > MaxCorrelationIdLength || correlationId.Any(c => c <= ' ' || c > '~')))
        {
            errors[CorrelationIdHeader] = [$"must be 1 to {MaxCorrelationIdLength} printable ASCII characters without spaces"];
        }

        if (replyTo is not null && !IsReplyQueue(replyTo))
        {
            errors[ReplyToHeader] = [$"must be a queue name starting with '{settings.ReplyQueuePrefix}' (3-63 lowercase letters, digits and single hyphens)"];
        }

        if (url is not null && await CheckUrlAsync(url, cancellationToken).ConfigureAwait(false) is { } problem)
        {
            errors[UrlHeader] = [problem];
        }

        return errors.Count > before ? null : new CallbackTarget(url, replyTo, correlationId, baseUrl);
    }

    public bool IsReplyQueue(string name) =>
        name.StartsWith(settings.ReplyQueuePrefix, StringComparison.Ordinal) && name.Length > settings.ReplyQueuePrefix.Length
        && StorageNames.IsQueueName(name, maxLength: 63);

    /// <summary>What is wrong with a callback URL, or null; the names it uses are resolved unless private networks are allowed.</summary>
    public async Task<string?> CheckUrlAsync(string url, CancellationToken cancellationToken)
    {
        if (!settings.CanSign)
        {
            return $"callbacks are off: this app has no signing key ({CallbackSettings.SigningSecretSetting})";
        }

        if (CheckSyntax(url, out var uri) is { } problem)
        {
            return problem;
        }

        if (settings.AllowPrivateNetworks)
        {
            return null;
        }

        IPAddress[] addresses;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(ResolveTimeout);
            addresses = await resolver.ResolveAsync(uri!.IdnHost, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException or ArgumentException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return $"its host '{uri!.IdnHost}' does not resolve";
        }

        return CheckAddresses(uri.IdnHost, addresses);
    }

    /// <summary>Whether a URL may be called at all: absolute, https (http only where private networks are allowed), no credentials.</summary>
    public string? CheckSyntax(string url, out Uri? uri)
    {
        uri = null;
        // On Unix "/hooks" is an absolute file URI: a path alone is no URL here.
        if (url.Length is 0 or > MaxUrlLength || !Uri.TryCreate(url, UriKind.Absolute, out var parsed) || parsed.IsFile || parsed.IsUnc)
        {
            return $"must be an absolute https URL of at most {MaxUrlLength} characters";
        }

        var https = parsed.Scheme == Uri.UriSchemeHttps;
        if (!https && !(settings.AllowPrivateNetworks && parsed.Scheme == Uri.UriSchemeHttp))
        {
            return $"must be an https URL, not {parsed.Scheme}";
        }

        if (!string.IsNullOrEmpty(parsed.UserInfo))
        {
            return "must not carry credentials (user:password@): they would be stored and logged";
        }

        if (string.IsNullOrEmpty(parsed.IdnHost))
        {
            return "must name a host";
        }

        uri = parsed;
        return null;
    }

    /// <summary>Why these addresses of <paramref name="host"/> may not be called, or null when all are public.</summary>
    public string? CheckAddresses(string host, IReadOnlyCollection<IPAddress> addresses)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        if (settings.AllowPrivateNetworks)
        {
            return null;
        }

        if (addresses.Count == 0)
        {
            return $"its host '{host}' has no address";
        }

        var refused = addresses.FirstOrDefault(a => !CallbackAddresses.IsPublic(a));
        return refused is null ? null : $"must reach a public address; '{host}' is {refused}, which is loopback, private, link-local or reserved";
    }
}
