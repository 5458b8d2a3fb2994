using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace FunctionsJobs.Core.Scheduling;

public static class SchedulingServiceCollectionExtensions
{
    /// <summary>What every scheduled job runs on in both runtimes: the runner, the run history and checkpoints.</summary>
    public static IServiceCollection AddScheduling(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddSingleton<JobRunHistory>();
        services.TryAddSingleton<JobCheckpointStore>();
        services.TryAddSingleton<JobRunner>();
        services.TryAddSingleton<JobOverview>();
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
}
