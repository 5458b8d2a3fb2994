using FunctionsJobs.Host.Http;

namespace FunctionsJobs.Host.Functions;

/// <summary>
/// Every function the Host runs: triggers registered as <see cref="IHostFunction"/> services plus
/// routes tagged with <see cref="HttpFunctionMetadata"/>. <c>GET /admin/functions</c> lists them,
/// as the Functions admin API does.
/// </summary>
public sealed class FunctionCatalog(IEnumerable<IHostFunction> triggers, EndpointDataSource endpoints)
{
    public IReadOnlyList<FunctionInfo> List()
    {
        var http = endpoints.Endpoints
            .OfType<RouteEndpoint>()
            .Select(e => (Endpoint: e, Function: e.Metadata.GetMetadata<HttpFunctionMetadata>()))
            .Where(x => x.Function is not null)
            .Select(x => new FunctionInfo(
                x.Function!.Name,
                "httpTrigger",
                $"{string.Join(",", x.Endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["*"])} /{x.Endpoint.RoutePattern.RawText?.TrimStart('/')}",
                [],
                // The middleware's rule: a route that declares no level needs a function key.
                (x.Endpoint.Metadata.GetMetadata<AuthorizationLevelMetadata>()?.Level ?? AuthorizationLevel.Function).ToString().ToLowerInvariant()));
        return [.. triggers.Select(t => new FunctionInfo(t.Name, t.Trigger, t.Source, t.Settings, null)).Concat(http).OrderBy(f => f.Name, StringComparer.Ordinal)];
    }

    public static void Map(IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet("/admin/functions", (FunctionCatalog catalog) => Results.Ok(catalog.List())).RequireKey(AuthorizationLevel.Admin);
}

/// <param name="Settings">The settings the trigger is bound through (<c>%Setting%</c> in the twin).</param>
/// <param name="AuthLevel">For HTTP functions: <c>anonymous</c>, <c>function</c> or <c>admin</c>, as in function.json.</param>
public sealed record FunctionInfo(string Name, string Trigger, string Source, IReadOnlyList<string> Settings, string? AuthLevel);
