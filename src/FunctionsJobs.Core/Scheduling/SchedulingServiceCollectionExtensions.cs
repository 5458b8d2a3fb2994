using FunctionsJobs.Core.Scheduling.Retention;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace FunctionsJobs.Core.Scheduling;

public static class SchedulingServiceCollectionExtensions
{
    /// <summary>The scheduled jobs, their run history and checkpoints, and the retention sources known so far.</summary>
    public static IServiceCollection AddScheduling(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddSingleton<JobRunHistory>();
        services.TryAddSingleton<JobCheckpointStore>();
        services.TryAddSingleton<JobRunner>();
        services.TryAddSingleton<JobOverview>();
        services.TryAddSingleton<IPoisonQueueCatalog, AccountPoisonQueueCatalog>();

        services.AddScheduledJob<RetentionCleanupJob>();
        services.AddRetentionSource<JobRunsRetention>();
        services.AddRetentionSource<PoisonMessagesRetention>();
        return services;
    }

    /// <summary>Makes a job known to both runtimes (the Functions twin and the Host's timer still name it).</summary>
    public static IServiceCollection AddScheduledJob<TJob>(this IServiceCollection services)
        where TJob : class, IScheduledJob
    {
        services.TryAddSingleton<TJob>();
        services.AddSingleton<IScheduledJob>(sp => sp.GetRequiredService<TJob>());
        return services;
    }

    /// <summary>Adds a kind of record for the retention clean-up to remove once it is old.</summary>
    public static IServiceCollection AddRetentionSource<TSource>(this IServiceCollection services)
        where TSource : class, IRetentionSource
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IRetentionSource, TSource>());
        return services;
    }
}
