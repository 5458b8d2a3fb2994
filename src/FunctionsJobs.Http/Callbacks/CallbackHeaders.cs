using FunctionsJobs.Core.Callbacks;
using Microsoft.AspNetCore.Http;

namespace FunctionsJobs.Http.Callbacks;

/// <summary>
/// The callback headers of <c>POST /api/orders</c> and <c>POST /api/images</c>: <c>Callback-Url</c>
/// (a signed POST of the terminal state) or <c>Reply-To</c> (a storage queue), and
/// <c>Correlation-Id</c>. Headers rather than body fields because an image upload's body is the
/// image itself; one way for both routes. Checked before the body is read.
/// </summary>
public static class CallbackHeaders
{
    public const string ProblemTitle = "The callback is not valid";

    /// <returns>The target (null when none was asked for), or the problem naming each wrong header.</returns>
    public static async Task<(CallbackTarget? Target, IResult? Problem)> ReadAsync(HttpRequest request, CallbackRequests requests, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(requests);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var target = await requests.ReadAsync(
            Header(request, CallbackRequests.UrlHeader), Header(request, CallbackRequests.ReplyToHeader), Header(request, CallbackRequests.CorrelationIdHeader),
            BaseUrl(request), errors, cancellationToken).ConfigureAwait(false);
        return errors.Count == 0
            ? (target, null)
            : (null, Results.ValidationProblem(errors, title: ProblemTitle, detail: "Each header named below needs fixing; nothing was stored."));
    }

    /// <summary>Where the caller reached this app: the events' status links start so.</summary>
    private static string BaseUrl(HttpRequest request) =>
        request.Host.HasValue ? $"{request.Scheme}://{request.Host}{request.PathBase}" : request.PathBase.ToString();

    private static string? Header(HttpRequest request, string name) => request.Headers.TryGetValue(name, out var value) ? value.ToString() : null;
}
