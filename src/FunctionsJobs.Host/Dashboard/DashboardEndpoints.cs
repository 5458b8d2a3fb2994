using FunctionsJobs.Host.Functions;
using FunctionsJobs.Host.Http;
using FunctionsJobs.Http;
using FunctionsJobs.Http.Dashboard;

namespace FunctionsJobs.Host.Dashboard;

/// <summary>
/// The dashboard on the Host: <c>/dashboard</c>, and <c>/api/dashboard</c> where the Functions app has
/// it (the same function, <see cref="DashboardHttp"/>). Master key: <c>x-functions-key</c>, or
/// <c>code</c> once, which becomes the session cookie (<see cref="DashboardSession"/>).
/// </summary>
internal static class DashboardEndpoints
{
    public static readonly DashboardFeatures Features = new(
        "Host", ReplayPoison: true, RunNow: true, ThroughputScope: "Messages settled by this Host instance; other instances report through the exported metrics.");

    public static void MapDashboard(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/" + DashboardHttp.Route, ServeAsync).RequireKey(AuthorizationLevel.Admin);
        endpoints.MapGet(ApiRoutes.OnHost(DashboardHttp.Route), ServeAsync).RequireKey(AuthorizationLevel.Admin).WithFunctionName(DashboardHttp.Function);
    }

    private static Task<IResult> ServeAsync(
        HttpContext context, string? path, FunctionKeys keys, DashboardData data, DashboardFeatures features, CancellationToken cancellationToken) =>
        context.Request.Query.ContainsKey("code")
            ? Task.FromResult(DashboardSession.Begin(context, keys))
            : DashboardHttp.HandleAsync(context.Request, path, data, features, cancellationToken);
}
