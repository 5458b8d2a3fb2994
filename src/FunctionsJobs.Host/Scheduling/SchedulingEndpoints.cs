using System.Text.Json;
using FunctionsJobs.Http;
using FunctionsJobs.Http.Scheduling;
using FunctionsJobs.Host.Functions;
using FunctionsJobs.Host.Http;

namespace FunctionsJobs.Host.Scheduling;

/// <summary>
/// Running a timer function by hand (<c>POST /admin/functions/{name}</c>, the Functions admin route,
/// master key, Host only: Functions has its own admin API) and the job routes shared with the Functions app (JobHttp).
/// </summary>
internal static class SchedulingEndpoints
{
    public static void MapScheduling(this WebApplication app)
    {
        // Resolve now: a bad schedule setting stops start-up with one line, not the first tick.
        _ = app.Services.GetRequiredService<TimerFunctions>();

        app.MapPost("/admin/functions/{name}", RunByHandAsync).RequireKey(AuthorizationLevel.Admin);
        app.MapGet(ApiRoutes.OnHost(JobHttp.ListJobsRoute), JobHttp.ListJobsAsync).WithFunctionName(JobHttp.ListJobsFunction);
        app.MapGet(ApiRoutes.OnHost(JobHttp.ListRunsRoute), JobHttp.ListRunsAsync).WithFunctionName(JobHttp.ListRunsFunction);
        app.MapGet(ApiRoutes.OnHost(JobHttp.GetRunRoute), JobHttp.GetRunAsync).WithFunctionName(JobHttp.GetRunFunction);
    }

    private static async Task<IResult> RunByHandAsync(string name, HttpRequest request, TimerFunctions functions, TimerRuns runs, TimerOptions options, CancellationToken cancellationToken)
    {
        if (functions.Find(name) is not { } function)
        {
            return JobHttp.NoSuchJob(name);
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
}
