using FunctionsJobs.Core.Scheduling;
using FunctionsJobs.Http.Scheduling;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace FunctionsJobs.Functions.Scheduling;

/// <summary><c>GET /api/jobs</c>, <c>/api/jobs/{name}/runs</c> and <c>/api/jobs/{name}/runs/{runId}</c> (<see cref="JobHttp"/>).</summary>
public sealed class JobRoutes(IJobTimers timers, JobOverview overview, JobRunHistory history)
{
    [Function(JobHttp.ListJobsFunction)]
    public Task<IResult> ListJobsAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = JobHttp.ListJobsRoute)] HttpRequest request, CancellationToken cancellationToken) =>
        JobHttp.ListJobsAsync(timers, overview, cancellationToken);

    [Function(JobHttp.ListRunsFunction)]
    public Task<IResult> ListRunsAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = JobHttp.ListRunsRoute)] HttpRequest request, string name, CancellationToken cancellationToken) =>
        JobHttp.ListRunsAsync(request, name, timers, history, cancellationToken);

    [Function(JobHttp.GetRunFunction)]
    public Task<IResult> GetRunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = JobHttp.GetRunRoute)] HttpRequest request, string name, string runId, CancellationToken cancellationToken) =>
        JobHttp.GetRunAsync(name, runId, timers, history, cancellationToken);
}
