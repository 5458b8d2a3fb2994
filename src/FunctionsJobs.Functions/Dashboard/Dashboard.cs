using FunctionsJobs.Http.Dashboard;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace FunctionsJobs.Functions.Dashboard;

/// <summary>
/// <c>GET /api/dashboard?code={master key}</c>: the operations page and its data (<see cref="DashboardHttp"/>).
/// The Functions host checks the key on every request, so the page sends it as <c>x-functions-key</c>.
/// </summary>
public sealed class Dashboard(DashboardData data, DashboardFeatures features)
{
    /// <summary>
    /// Poison replay is a route of the Host; in Azure Functions <c>/admin</c> belongs to the Functions
    /// host, which has none. Run-now is the Functions host's own <c>POST /admin/functions/{name}</c>.
    /// </summary>
    public static readonly DashboardFeatures Features = new(
        "Functions", ReplayPoison: false, RunNow: true,
        ThroughputScope: "Messages handled by this worker instance (poison moves are the Functions host's; see Application Insights or your OTLP backend for every instance).");

    [Function(DashboardHttp.Function)]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = DashboardHttp.Route)] HttpRequest request, string? path, CancellationToken cancellationToken) =>
        DashboardHttp.HandleAsync(request, path, data, features, cancellationToken);
}
