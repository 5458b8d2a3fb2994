using System.Globalization;
using FunctionsJobs.Core.Queues;
using FunctionsJobs.Core.Scheduling;
using Microsoft.AspNetCore.Http;

namespace FunctionsJobs.Http.Scheduling;

/// <summary>The HTTP face of scheduled jobs for both runtimes: each job's schedule and latest run, and its run history.</summary>
public static class JobHttp
{
    public const string ListJobsFunction = "ListJobs";
    public const string ListRunsFunction = "ListJobRuns";
    public const string GetRunFunction = "GetJobRun";

    public const string ListJobsRoute = "jobs";
    public const string ListRunsRoute = "jobs/{name}/runs";
    public const string GetRunRoute = "jobs/{name}/runs/{runId}";

    public const int DefaultMaxRuns = 50;
    public const int MaxRuns = 1000;

    public static async Task<IResult> ListJobsAsync(IJobTimers timers, JobOverview overview, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(overview);
        return Results.Json(await overview.ListAsync(timers, cancellationToken).ConfigureAwait(false), JobJson.Options);
    }

    /// <summary>Newest first; <c>?max=</c> from 1 to <see cref="MaxRuns"/>.</summary>
    public static async Task<IResult> ListRunsAsync(HttpRequest request, string name, IJobTimers timers, JobRunHistory history, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(timers);
        ArgumentNullException.ThrowIfNull(history);
        if (timers.Find(name) is not { } timer)
        {
            return NoSuchJob(name);
        }

        var max = DefaultMaxRuns;
        if (request.Query.TryGetValue("max", out var value)
            && (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out max) || max < 1 || max > MaxRuns))
        {
            return Problems.Of(StatusCodes.Status400BadRequest, "Invalid max", $"max must be a whole number from 1 to {MaxRuns}, not '{Problems.Printable(value)}'.");
        }

        return Results.Json(await history.ListAsync(timer.Job.Name, max, cancellationToken).ConfigureAwait(false), JobJson.Options);
    }

    public static async Task<IResult> GetRunAsync(string name, string runId, IJobTimers timers, JobRunHistory history, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(timers);
        ArgumentNullException.ThrowIfNull(history);
        if (timers.Find(name) is not { } timer)
        {
            return NoSuchJob(name);
        }

        if (!JobRunHistory.IsValidRunId(runId))
        {
            return Problems.Of(StatusCodes.Status400BadRequest, "Invalid run id", $"A run id looks like 7981234567890123456-0123abcd, not '{Problems.Printable(runId)}'.");
        }

        return await history.GetAsync(timer.Job.Name, runId, cancellationToken).ConfigureAwait(false) is { } run
            ? Results.Json(run, JobJson.Options)
            : Problems.Of(StatusCodes.Status404NotFound, "No such run", $"{timer.Job.Name} has no run '{Problems.Printable(runId)}'.");
    }

    public static IResult NoSuchJob(string name) =>
        Problems.Of(StatusCodes.Status404NotFound, "No such function", $"This app has no timer function named '{Problems.Printable(name)}'.");
}
