using FunctionsJobs.Core.Queues;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace FunctionsJobs.Core.Telemetry;

public static class TelemetryServiceCollectionExtensions
{
    /// <summary>
    /// The jobs' instruments and the in-process readers of them (the dashboard's throughput, the
    /// queue overview). Exporting is the runtime's business: the Host wires OpenTelemetry, the
    /// Functions app the worker's OpenTelemetry package.
    /// </summary>
    public static IServiceCollection AddJobsTelemetry(this IServiceCollection services)
    {
        services.AddMetrics();
        services.TryAddSingleton<QueueFunctionMetrics>();
        services.TryAddSingleton<JobRunMetrics>();
        services.TryAddSingleton<QueueThroughput>();
        services.TryAddSingleton<QueueDepthGauges>();
        services.TryAddSingleton<QueueOverview>();
        return services;
    }
}
