using FunctionsJobs.Core.Queues;
using FunctionsJobs.Core.Scheduling;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;

namespace FunctionsJobs.Functions.Scheduling;

/// <summary>
/// <c>GET /api/jobs</c>, <c>/api/jobs/{name}/runs</c> and <c>/api/jobs/{name}/runs/{runId}</c>, the
/// twins of the Host's routes. The worker does not see the runtime's schedule monitor, so a job's
/// last and next come from its latest run and its schedule (docs/scheduling.md).
/// </summary>
public sealed class JobRoutes(IEnumerable<IScheduledJob> jobs, JobOverview overview, JobRunHistory history, IConfiguration configuration)
{
    private const int DefaultMaxRuns = 50;
    private const int MaxRuns = 1000;

    [Function("ListJobs")]
    public async Task<IActionResult> ListJobsAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "jobs")] HttpRequest request, CancellationToken cancellationToken)
    {
        var zone = ScheduleTimeZone.FromConfiguration(configuration);
        var summaries = new List<JobSummary>();
        foreach (var job in jobs.OrderBy(j => j.Name, StringComparer.Ordinal))
        {
            summaries.Add(await overview.SummarizeAsync(job, JobSchedule.FromSetting(configuration, job, zone), null, null, cancellationToken));
        }

        return new JsonResult(summaries, JobJson.Options);
    }

    [Function("ListJobRuns")]
    public async Task<IActionResult> ListRunsAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "jobs/{name}/runs")] HttpRequest request, string name, CancellationToken cancellationToken)
    {
        if (Find(name) is not { } job)
        {
            return NoSuchJob(name);
        }

        var max = DefaultMaxRuns;
        if (request.Query.TryGetValue("max", out var value) && (!int.TryParse(value, out max) || max < 1 || max > MaxRuns))
        {
            return Problem(StatusCodes.Status400BadRequest, "Invalid max", $"max must be a whole number from 1 to {MaxRuns}.");
        }

        return new JsonResult(await history.ListAsync(job.Name, max, cancellationToken), JobJson.Options);
    }

    [Function("GetJobRun")]
    public async Task<IActionResult> GetRunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "jobs/{name}/runs/{runId}")] HttpRequest request, string name, string runId, CancellationToken cancellationToken)
    {
        if (Find(name) is not { } job)
        {
            return NoSuchJob(name);
        }

        return await history.GetAsync(job.Name, runId, cancellationToken) is { } run
            ? new JsonResult(run, JobJson.Options)
            : Problem(StatusCodes.Status404NotFound, "No such run", $"{job.Name} has no run '{runId}'.");
    }

    private IScheduledJob? Find(string name) => jobs.FirstOrDefault(j => string.Equals(j.Name, name, StringComparison.OrdinalIgnoreCase));

    private static IActionResult NoSuchJob(string name) =>
        Problem(StatusCodes.Status404NotFound, "No such function", $"This app has no timer function named '{name}'.");

    private static ObjectResult Problem(int status, string title, string detail) =>
        new(new ProblemDetails { Status = status, Title = title, Detail = detail }) { StatusCode = status, ContentTypes = { "application/problem+json" } };
}
