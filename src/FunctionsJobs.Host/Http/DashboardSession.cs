using FunctionsJobs.Http.Dashboard;

namespace FunctionsJobs.Host.Http;

/// <summary>
/// The dashboard's session on the Host: the master key, given once as <c>code</c> (as Functions
/// takes keys), is swapped for an http-only, SameSite=Strict cookie holding a token derived from it
/// (<see cref="FunctionKeys.SessionToken"/>). The cookie opens what the master key opens, and a
/// request that changes something on its strength must also prove it comes from the page: the
/// page's own header (<see cref="DashboardHttp.PageHeader"/>), which no cross-site form or simple
/// request can carry, and an <c>Origin</c> equal to this host's.
/// </summary>
internal static class DashboardSession
{
    public const string CookieName = "FunctionsJobs-Dashboard";

    public enum Check
    {
        /// <summary>No session cookie: the request stands on its key alone.</summary>
        None,

        Valid,

        /// <summary>A cookie that is no session of this master key.</summary>
        Invalid,

        /// <summary>A valid cookie on a state-changing request that lacks the page's header or comes from another origin.</summary>
        Forged,
    }

    public static Check Evaluate(HttpContext context, FunctionKeys keys)
    {
        var request = context.Request;
        if (!request.Cookies.TryGetValue(CookieName, out var token))
        {
            return Check.None;
        }

        if (!keys.IsSession(token))
        {
            return Check.Invalid;
        }

        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
        {
            return Check.Valid;
        }

        var origin = request.Headers.Origin.ToString();
        var sameOrigin = origin.Length > 0 && string.Equals(origin, $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase);
        return sameOrigin && request.Headers.ContainsKey(DashboardHttp.PageHeader) ? Check.Valid : Check.Forged;
    }

    /// <summary>Sets the cookie and sends the browser back to the same address without <c>code</c>.</summary>
    public static IResult Begin(HttpContext context, FunctionKeys keys)
    {
        var request = context.Request;
        context.Response.Cookies.Append(CookieName, keys.SessionToken, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = request.IsHttps,
            Path = "/",
            IsEssential = true,
        });
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers["Referrer-Policy"] = "no-referrer";
        var query = QueryString.Create(request.Query.Where(p => !string.Equals(p.Key, "code", StringComparison.OrdinalIgnoreCase)));
        return Results.Redirect($"{request.PathBase}{request.Path}{query}");
    }
}
