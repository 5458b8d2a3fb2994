using System.Text.Json;
using FunctionsJobs.Core.Queues;
using FunctionsJobs.Core.Scheduling;
using FunctionsJobs.Host.Functions;
using FunctionsJobs.Host.Http;

namespace FunctionsJobs.Host.Scheduling;

/// <summary>
/// Running a timer function by hand (<c>POST /admin/functions/{name}</c>, the Functions admin route,
/// master key) and watching jobs and their runs (<c>/api/jobs</c>, function key).
/// </summary>
internal static class SchedulingEndpoints
{
    private const int DefaultMaxRuns = 50;
    private const int MaxRuns = 1000;

    public static void MapScheduling(this WebApplication app)
    {
        // Resolve now: a bad schedule setting stops start-up with one line, not the first tick.
        _ = app.Services.GetRequiredService<TimerFunctions>();

        app.MapPost("/admin/functions/{name}", RunByHandAsync).RequireKey(AuthorizationLevel.Admin);
        app.MapGet("/api/jobs", ListJobsAsync).WithFunctionName("ListJobs");
        app.MapGet("/api/jobs/{name}/runs", ListRunsAsync).WithFunctionName("ListJobRuns");
        app.MapGet("/api/jobs/{name}/runs/{runId}", GetRunAsync).WithFunctionName("GetJobRun");
    }

    private static async Task<IResult> RunByHandAsync(string name, HttpRequest request, TimerFunctions functions, TimerRuns runs, TimerOptions options, CancellationToken cancellationToken)
    {
        if (functions.Find(name) is not { } function)
        {
            return NoSuchJob(name);
        }

        string? input;
        try
        {
            input = await ReadInputAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid body", detail: "The body must be empty or a JSON object such as { \"input\": \"...\" }.");
        }

        if (runs.IsStopping)
        {
            return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Shutting down", detail: "This instance is shutting down and starts no new runs.");
        }

        var run = await runs.TryStartManualAsync(function, input, cancellationToken).ConfigureAwait(false);
        if (run is null)
        {
            return Results.Problem(
                statusCode: StatusCodes.Status409Conflict,
                title: "Already running",
                detail: $"{function.Name} is running (its lock {TimerOptions.HostsContainer}/{options.LockBlobName(function.Name)} is held); try again when the run has ended.");
        }

        var location = $"/api/jobs/{Uri.EscapeDataString(function.Name)}/runs/{run.RunId}";
        return Results.Accepted(location, new { id = run.RunId, function = function.Name, statusQueryGetUri = location });
    }

    private static async Task<IResult> ListJobsAsync(TimerFunctions functions, TimerStatusStore monitor, JobOverview overview, CancellationToken cancellationToken)
    {
        var jobs = new List<object>();
        foreach (var function in functions.All)
        {
            var status = await monitor.ReadAsync(function.Name, cancellationToken).ConfigureAwait(false);
            var summary = await overview.SummarizeAsync(function.Job, function.Schedule, status?.Last, status?.Next, cancellationToken).ConfigureAwait(false);
            jobs.Add(new { summary.Name, summary.Trigger, summary.Schedule, summary.ScheduleSetting, summary.TimeZone, function.RunOnStartup, summary.Last, summary.Next, summary.LastRun });
        }

        return Results.Json(jobs, JobJson.Options);
    }

    private static async Task<IResult> ListRunsAsync(string name, int? max, TimerFunctions functions, JobRunHistory history, CancellationToken cancellationToken)
    {
        if (functions.Find(name) is not { } function)
        {
            return NoSuchJob(name);
        }

        if (max is < 1 or > MaxRuns)
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid max", detail: $"max must be a whole number from 1 to {MaxRuns}.");
        }

        return Results.Json(await history.ListAsync(function.Name, max ?? DefaultMaxRuns, cancellationToken).ConfigureAwait(false), JobJson.Options);
    }

    private static async Task<IResult> GetRunAsync(string name, string runId, TimerFunctions functions, JobRunHistory history, CancellationToken cancellationToken)
    {
        if (functions.Find(name) is not { } function)
        {
            return NoSuchJob(name);
        }

        return await history.GetAsync(function.Name, runId, cancellationToken).ConfigureAwait(false) is { } run
            ? Results.Json(run, JobJson.Options)
            : Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such run", detail: $"{function.Name} has no run '{runId}'.");
    }

    /// <summary>Functions accepts an empty body or <c>{ "input": "..." }</c>; a non-string input is passed as its JSON text.</summary>
    private static async Task<string?> ReadInputAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(request.Body);
        var body = await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(body))
        {
            return null;
        }

        using var document = JsonDocument.Parse(body);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw new JsonException("not an object");
        }

        return document.RootElement.TryGetProperty("input", out var input) && input.ValueKind != JsonValueKind.Null
            ? input.ValueKind == JsonValueKind.String ? input.GetString() : input.GetRawText()
            : null;
    }

    private static IResult NoSuchJob(string name) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such function", detail: $"This host has no timer function named '{name}'.");
}
