using FunctionsJobs.Core.Callbacks;
using FunctionsJobs.Core.Scheduling;
using FunctionsJobs.Core.Orders;
using FunctionsJobs.Core.Queues;
using FunctionsJobs.Core.Retention;
using FunctionsJobs.Core.SalesReport;
using FunctionsJobs.Core.Storage;
using FunctionsJobs.Core.Telemetry;
using FunctionsJobs.Core.Thumbnails;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace FunctionsJobs.Core;

public static class ServiceCollectionExtensions
{
    /// <summary>
    /// Registers the domain shared by both runtimes. The Functions worker and the Host each call
    /// this once; runtime-specific triggers are registered by the runtime itself.
    /// </summary>
    public static IServiceCollection AddFunctionsJobsCore(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(_ => StorageAccount.FromConfiguration(configuration));
        services.AddJobsTelemetry();
        services.TryAddSingleton<RecentItems>();
        services.AddRetentionSource<RecentItemsRetention>();
        services.TryAddSingleton<IQueueSendObserver, NoQueueSendObserver>();
        services.AddScheduling(configuration);

        // The jobs, each from its own folder.
        services.AddOrders(configuration);
        services.AddThumbnails(configuration);
        services.AddSalesReport(configuration);
        services.AddRetention(configuration);
        services.AddCallbacks(configuration);
        return services;
    }
}
