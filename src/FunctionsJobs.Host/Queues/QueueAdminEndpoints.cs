using Azure;
using FunctionsJobs.Core.Storage;
using FunctionsJobs.Host.Http;

namespace FunctionsJobs.Host.Queues;

/// <summary>
/// Operating the queues under <c>/admin</c> (master key): depths, poison peek and poison replay.
/// </summary>
internal static class QueueAdminEndpoints
{
    public static void MapQueueAdmin(this IEndpointRouteBuilder endpoints)
    {
        var admin = endpoints.MapGroup("/admin/queues").RequireKey(AuthorizationLevel.Admin);
        admin.MapGet("/", ListAsync);
        admin.MapGet("/{name}/poison", PeekPoisonAsync);
        admin.MapPost("/{name}/poison/replay", ReplayPoisonAsync);
    }

    private static async Task<IResult> ListAsync(StorageAccount storage, IEnumerable<QueueFunction> functions, CancellationToken cancellationToken)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        await foreach (var queue in storage.RawQueues.GetQueuesAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            names.Add(queue.Name);
        }

        var byQueue = functions.ToLookup(f => f.QueueName, f => f.Name, StringComparer.Ordinal);
        foreach (var queue in byQueue.Select(g => g.Key))
        {
            names.Add(queue);
        }

        var rows = new List<QueueDepth>();
        foreach (var name in names.Where(n => !n.EndsWith(PoisonQueue.Suffix, StringComparison.Ordinal) || !names.Contains(n[..^PoisonQueue.Suffix.Length])))
        {
            var poisonName = PoisonQueue.NameFor(name);
            rows.Add(new QueueDepth(
                name,
                await DepthAsync(storage, name, cancellationToken).ConfigureAwait(false),
                poisonName,
                names.Contains(poisonName) ? await DepthAsync(storage, poisonName, cancellationToken).ConfigureAwait(false) : 0,
                [.. byQueue[name]]));
        }

        return Results.Ok(rows);
    }

    private static async Task<IResult> PeekPoisonAsync(string name, int? max, PoisonQueue poison, CancellationToken cancellationToken)
    {
        if (Invalid(name, max) is { } problem)
        {
            return problem;
        }

        return Results.Ok(await poison.PeekAsync(name, max ?? 32, cancellationToken).ConfigureAwait(false));
    }

    private static async Task<IResult> ReplayPoisonAsync(string name, int? max, PoisonQueue poison, StorageAccount storage, CancellationToken cancellationToken)
    {
        if (Invalid(name, max) is { } problem)
        {
            return problem;
        }

        if (!(await storage.RawQueues.GetQueueClient(PoisonQueue.NameFor(name)).ExistsAsync(cancellationToken).ConfigureAwait(false)).Value)
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such poison queue", detail: $"Queue '{name}' has no poison queue {PoisonQueue.NameFor(name)}: nothing was ever poisoned there.");
        }

        var moved = await poison.ReplayAsync(name, max ?? int.MaxValue, cancellationToken).ConfigureAwait(false);
        return Results.Ok(new { queue = name, poisonQueue = PoisonQueue.NameFor(name), moved });
    }

    private static IResult? Invalid(string name, int? max)
    {
        if (!StorageNames.IsQueueName(name))
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid queue name", detail: $"'{name}' is not a queue name this host can own (3-56 lowercase letters, digits and single hyphens).");
        }

        if (max is <= 0)
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid max", detail: "max must be a positive whole number.");
        }

        return null;
    }

    private static async Task<int?> DepthAsync(StorageAccount storage, string queue, CancellationToken cancellationToken)
    {
        try
        {
            var properties = await storage.RawQueues.GetQueueClient(queue).GetPropertiesAsync(cancellationToken).ConfigureAwait(false);
            return properties.Value.ApproximateMessagesCount;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    private sealed record QueueDepth(string Name, int? ApproximateMessageCount, string PoisonQueue, int? PoisonApproximateMessageCount, string[] Functions);
}
