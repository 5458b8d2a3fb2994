using FunctionsJobs.Core.Callbacks;
using FunctionsJobs.Host.Http;
using FunctionsJobs.Host.Queues;

namespace FunctionsJobs.Host.Callbacks;

/// <summary>
/// Callbacks on the Host: the <c>DeliverCallback</c> queue function (twin of the Functions app's),
/// and the dead letters under <c>/admin/callbacks</c> (master key): list them, try one again.
/// </summary>
internal sealed partial class CallbacksJob : IHostJob
{
    public const int DefaultMax = 50;

    public static void Add(WebApplicationBuilder builder) =>
        builder.Services.AddQueueFunction<CallbackDelivery, CallbackMessage>(
            builder.Configuration, CallbackDelivery.FunctionName, CallbackSettings.QueueNameSetting, CallbackSettings.DefaultQueueName);

    public static void Map(WebApplication app)
    {
        var admin = app.MapGroup("/admin/callbacks").RequireKey(AuthorizationLevel.Admin);
        admin.MapGet("/dead-letters", ListAsync);
        admin.MapPost("/dead-letters/{eventId}/replay", ReplayAsync);
    }

    private static async Task<IResult> ListAsync(int? max, CallbackDeadLetters deadLetters, CancellationToken cancellationToken)
    {
        if (max is <= 0 or > 1000)
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid max", detail: "max must be a whole number from 1 to 1000.");
        }

        return Results.Ok(await deadLetters.ListAsync(max ?? DefaultMax, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Queues the event again with a fresh <c>CallbacksMaxAge</c>, same id and body, and removes its dead letter.</summary>
    private static async Task<IResult> ReplayAsync(string eventId, CallbackDeadLetters deadLetters, CallbackOutbox outbox, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        if (!IsEventId(eventId))
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid event id", detail: "An event id is evt_ and 32 lowercase hex digits.");
        }

        if (await deadLetters.GetAsync(eventId, cancellationToken).ConfigureAwait(false) is not { } found)
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such dead letter", detail: $"No dead-lettered event has id {eventId}.");
        }

        // Remove first: a replay racing this one finds nothing to queue, so the event is queued once.
        if (!await deadLetters.TryRemoveAsync(eventId, found.ETag, cancellationToken).ConfigureAwait(false))
        {
            return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Already replayed", detail: $"Event {eventId} was replayed meanwhile.");
        }

        await outbox.ScheduleAsync(found.Message with { Committed = true, Attempt = 1, Deadline = outbox.FreshDeadline() }, TimeSpan.Zero, CancellationToken.None).ConfigureAwait(false);
        LogReplayed(loggers.CreateLogger(typeof(CallbacksJob).FullName!), eventId, found.Message.Target.Describe());
        return Results.Accepted(value: new { eventId, replayed = true });
    }

    private static bool IsEventId(string id) =>
        id.Length == 36 && id.StartsWith("evt_", StringComparison.Ordinal) && id[4..].All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');

    [LoggerMessage(Level = LogLevel.Information, Message = "Callback {EventId} to {Target} replayed from the dead letters")]
    private static partial void LogReplayed(ILogger logger, string eventId, string target);
}
