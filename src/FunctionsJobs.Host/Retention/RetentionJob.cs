using FunctionsJobs.Core.Retention;
using FunctionsJobs.Host.Scheduling;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace FunctionsJobs.Host.Retention;

/// <summary>The retention clean-up on the Host: its timer, tending the poison queues of the Host's own queue functions.</summary>
internal sealed class RetentionJob : IHostJob
{
    public static void Add(WebApplicationBuilder builder)
    {
        builder.Services.Replace(ServiceDescriptor.Singleton<IPoisonQueueCatalog, HostPoisonQueueCatalog>());
        builder.Services.AddTimerFunction<RetentionCleanupJob>();
    }

    public static void Map(WebApplication app)
    {
        // No routes of its own: its runs are read through the job routes.
    }
}
