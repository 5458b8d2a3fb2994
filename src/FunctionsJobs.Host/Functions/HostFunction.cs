namespace FunctionsJobs.Host.Functions;

/// <summary>
/// A function of the Host, described as the Functions host describes its own: a name shared with
/// the <c>[Function]</c> of the Functions app, a trigger type and what it listens to.
/// </summary>
public interface IHostFunction
{
    /// <summary>The name of the twin <c>[Function]</c> in src/FunctionsJobs.Functions.</summary>
    string Name { get; }

    /// <summary><c>queueTrigger</c>, <c>httpTrigger</c>, <c>blobTrigger</c> or <c>timerTrigger</c>, as in function.json.</summary>
    string Trigger { get; }

    /// <summary>The queue, route, container or schedule the trigger listens to, resolved from settings.</summary>
    string Source { get; }

    /// <summary>
    /// The settings the trigger is bound through: the <c>%Setting%</c> names of the twin's attribute.
    /// The parity test compares them with the Functions source and local.settings.sample.json.
    /// </summary>
    IReadOnlyList<string> Settings => [];
}

/// <summary>Endpoint metadata that makes a route an HTTP-triggered function of the catalog.</summary>
public sealed record HttpFunctionMetadata(string Name);

public static class HttpFunctionExtensions
{
    /// <summary>Names a route after its twin <c>[Function]</c>, so the catalog and the parity check see it.</summary>
    public static TBuilder WithFunctionName<TBuilder>(this TBuilder builder, string name)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.WithName(name);
        builder.WithMetadata(new HttpFunctionMetadata(name));
        return builder;
    }
}
