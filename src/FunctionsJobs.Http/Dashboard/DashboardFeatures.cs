namespace FunctionsJobs.Http.Dashboard;

/// <summary>
/// What the dashboard page can do in this runtime; the page shows a control only where it works.
/// </summary>
/// <param name="Runtime">Shown in the page's header: <c>Host</c> or <c>Functions</c>.</param>
/// <param name="ReplayPoison">
/// The replay button calls <c>POST /admin/queues/{name}/poison/replay</c>, a route of the Host. In
/// Azure Functions <c>/admin</c> belongs to the Functions host, which has no such route.
/// </param>
/// <param name="RunNow">The run-now button calls <c>POST /admin/functions/{name}</c>, which both runtimes have.</param>
/// <param name="ThroughputScope">What the throughput chart covers, shown under it.</param>
public sealed record DashboardFeatures(string Runtime, bool ReplayPoison, bool RunNow, string ThroughputScope);
