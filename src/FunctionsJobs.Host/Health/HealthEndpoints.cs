using System.Text.Json;
using FunctionsJobs.Core.Queues;
using FunctionsJobs.Host.Http;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace FunctionsJobs.Host.Health;

/// <summary>
/// Anonymous health routes. <c>/health/live</c> answers while the process serves requests (restart
/// it if not); <c>/health/ready</c> adds storage (send it work only if so); <c>/health</c> reports both.
/// </summary>
internal static class HealthEndpoints
{
    public const string ReadyTag = "ready";

    public static IServiceCollection AddHostHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks().AddCheck<StorageHealthCheck>("storage", tags: [ReadyTag]);
        return services;
    }

    public static void MapHostHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync })
            .RequireKey(AuthorizationLevel.Anonymous);
        endpoints.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyTag), ResponseWriter = WriteAsync })
            .RequireKey(AuthorizationLevel.Anonymous);
        endpoints.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = WriteAsync })
            .RequireKey(AuthorizationLevel.Anonymous);
    }

    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        var body = new
        {
            status = report.Status.ToString(),
            live = true,
            ready = report.Status == HealthStatus.Healthy,
            checks = report.Entries.ToDictionary(
                e => e.Key,
                e => new { status = e.Value.Status.ToString(), description = e.Value.Description, durationMs = Math.Round(e.Value.Duration.TotalMilliseconds, 1) }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, JobJson.Options), context.RequestAborted);
    }
}
