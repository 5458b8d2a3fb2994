namespace FunctionsJobs.Host.Http;

/// <summary>
/// Checks the key a route needs: <c>x-functions-key</c> header or <c>code</c> query parameter, as
/// in Functions. A route that declares no level needs a function key, so a forgotten annotation
/// fails closed.
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
        var allowed = level == AuthorizationLevel.Admin ? keys.IsMaster(candidate) : keys.IsFunctionOrMaster(candidate);
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
