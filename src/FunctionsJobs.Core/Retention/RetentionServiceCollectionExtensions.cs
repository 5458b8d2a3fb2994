using FunctionsJobs.Core.Scheduling;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace FunctionsJobs.Core.Retention;

public static class RetentionServiceCollectionExtensions
{
    /// <summary>The retention clean-up for both runtimes, with the sources of the scheduling runtime itself; each job adds its own.</summary>
    public static IServiceCollection AddRetention(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddSingleton<IPoisonQueueCatalog, AccountPoisonQueueCatalog>();
        services.AddScheduledJob<RetentionCleanupJob>();
        services.AddRetentionSource<JobRunsRetention>();
        services.AddRetentionSource<PoisonMessagesRetention>();
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
