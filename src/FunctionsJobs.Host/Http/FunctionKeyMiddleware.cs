using FunctionsJobs.Http.Dashboard;

namespace FunctionsJobs.Host.Http;

/// <summary>
/// Checks the key a route needs: <c>x-functions-key</c> header or <c>code</c> query parameter, as
/// in Functions. A route that declares no level needs a function key, so a forgotten annotation
/// fails closed. The dashboard's session cookie counts as the master key (<see cref="DashboardSession"/>).
/// </summary>
internal sealed class FunctionKeyMiddleware(RequestDelegate next, FunctionKeys keys)
{
    public const string HeaderName = "x-functions-key";

    public async Task InvokeAsync(HttpContext context)
    {
        var endpoint = context.GetEndpoint();
        if (endpoint is null)
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var level = endpoint.Metadata.GetMetadata<AuthorizationLevelMetadata>()?.Level ?? AuthorizationLevel.Function;
        if (level == AuthorizationLevel.Anonymous)
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var candidate = context.Request.Headers.TryGetValue(HeaderName, out var header) ? header.ToString() : context.Request.Query["code"].ToString();

        // Without a key, the dashboard's session cookie may stand for the master key.
        var session = string.IsNullOrEmpty(candidate) ? DashboardSession.Evaluate(context, keys) : DashboardSession.Check.None;
        if (session == DashboardSession.Check.Forged)
        {
            await Results.Problem(
                statusCode: StatusCodes.Status403Forbidden,
                title: "Forbidden",
                detail: $"A request authorized by the dashboard's cookie must come from the dashboard page: same Origin and the {DashboardHttp.PageHeader} header.").ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        var allowed = session == DashboardSession.Check.Valid || (level == AuthorizationLevel.Admin ? keys.IsMaster(candidate) : keys.IsFunctionOrMaster(candidate));
        if (allowed)
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var detail = level == AuthorizationLevel.Admin
            ? $"This route needs the master key in the {HeaderName} header or the code query parameter."
            : $"This route needs a function key in the {HeaderName} header or the code query parameter.";
        await Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized", detail: detail).ExecuteAsync(context).ConfigureAwait(false);
    }
}
