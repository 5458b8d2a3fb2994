using System.Diagnostics;

namespace FunctionsJobs.Core.Telemetry;

/// <summary>
/// The one <see cref="ActivitySource"/> and meter name of the jobs. Core only creates spans and
/// instruments (System.Diagnostics); each runtime decides whether and where they are exported, so an
/// app without a listener pays for neither.
/// </summary>
public static class FunctionsJobsTelemetry
{
    /// <summary>The name of the activity source and of the meter: what an exporter subscribes to.</summary>
    public const string Name = "FunctionsJobs";

    public static ActivitySource Source { get; } = new(Name);

    /// <summary>
    /// Starts the span of one queue delivery as the child of the span that sent it (<paramref name="traceParent"/>,
    /// carried in the message), so an order or an image is one trace from its HTTP request to its last effect.
    /// Where the runtime already has a span of its own for the invocation (the Functions worker), that one is linked.
    /// </summary>
    public static Activity? StartProcess(string functionName, string queueName, string messageId, long dequeueCount, string? traceParent)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var current = Activity.Current;
        var parent = ActivityContext.TryParse(traceParent, null, isRemote: true, out var remote) ? remote : current?.Context ?? default;
        ActivityLink[]? links = current is not null && parent != current.Context ? [new ActivityLink(current.Context)] : null;
        var activity = Source.StartActivity(ActivityKind.Consumer, parent, links: links, name: functionName);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("messaging.system", "azure_storage_queues");
            activity.SetTag("messaging.destination.name", queueName);
            activity.SetTag("messaging.operation.type", "process");
            activity.SetTag("messaging.message.id", messageId);
            activity.SetTag("messaging.message.delivery_count", dequeueCount);
            activity.SetTag("faas.name", functionName);
        }

        return activity;
    }

    /// <summary>The span of sending a message; its id becomes the message's <c>traceparent</c>.</summary>
    public static Activity? StartSend(string queueName)
    {
        var activity = Source.StartActivity($"send {queueName}", ActivityKind.Producer);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("messaging.system", "azure_storage_queues");
            activity.SetTag("messaging.destination.name", queueName);
            activity.SetTag("messaging.operation.type", "send");
        }

        return activity;
    }

    /// <summary>A span for one step of work inside a job (an order step, a payment call, an SMTP send).</summary>
    public static Activity? StartStep(string name, ActivityKind kind = ActivityKind.Internal) => Source.StartActivity(name, kind);

    /// <summary>Runs a call to another system (payment provider, SMTP server) under a client span of its own.</summary>
    public static async Task<T> TraceAsync<T>(string name, Func<Task<T>> call)
    {
        ArgumentNullException.ThrowIfNull(call);
        using var activity = Source.StartActivity(name, ActivityKind.Client);
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Fail(activity, ex);
            throw;
        }
    }

    /// <inheritdoc cref="TraceAsync{T}(string, Func{Task{T}})"/>
    public static Task TraceAsync(string name, Func<Task> call)
    {
        ArgumentNullException.ThrowIfNull(call);
        return TraceAsync(name, async () =>
        {
            await call().ConfigureAwait(false);
            return true;
        });
    }

    /// <summary>Marks a span failed with what was thrown.</summary>
    public static void Fail(Activity? activity, Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (activity is null)
        {
            return;
        }

        activity.SetStatus(ActivityStatusCode.Error, exception.Message);
        activity.SetTag("error.type", exception.GetType().FullName);
    }

    /// <summary>The W3C <c>traceparent</c> of the current span, to carry in a message; null when nothing is traced.</summary>
    public static string? CurrentTraceParent() => Activity.Current is { IdFormat: ActivityIdFormat.W3C } current ? current.Id : null;
}
