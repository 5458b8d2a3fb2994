using FunctionsJobs.Core.Scheduling;
using FunctionsJobs.Host.Functions;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace FunctionsJobs.Host.Scheduling;

public static class TimerFunctionRegistration
{
    /// <summary>
    /// The Host's timer runtime (locks, schedule monitor, in-flight runs). Each job adds its timer
    /// functions (<see cref="AddTimerFunction{TJob}"/>), the twins of the Functions app's <c>[TimerTrigger]</c> methods.
    /// </summary>
    public static IServiceCollection AddHostScheduling(this IServiceCollection services, IConfiguration configuration)
    {
        // Read now, so a bad host id, lock period or time zone stops start-up with one line.
        services.TryAddSingleton(TimerOptions.FromConfiguration(configuration));
        services.TryAddSingleton(TimerRetryOptions.FromConfiguration(configuration));
        services.TryAddSingleton<TimerFunctions>();
        services.TryAddSingleton<JobLocks>();
        services.TryAddSingleton<TimerStatusStore>();
        services.TryAddSingleton<IJobTimers, HostJobTimers>();
        services.TryAddSingleton<TimerRuns>();
        services.AddHostedService(sp => sp.GetRequiredService<TimerRuns>());
        return services;
    }

    /// <summary>Runs <typeparamref name="TJob"/> on its schedule, as a singleton across Host instances.</summary>
    public static IServiceCollection AddTimerFunction<TJob>(this IServiceCollection services)
        where TJob : class, IScheduledJob
    {
        services.TryAddSingleton<TJob>();
        services.AddSingleton(new TimerJobType(typeof(TJob)));
        services.AddSingleton<IHostFunction>(sp => sp.GetRequiredService<TimerFunctions>().Get(typeof(TJob)));
        services.AddSingleton<IHostedService>(sp => ActivatorUtilities.CreateInstance<TimerListener>(sp, sp.GetRequiredService<TimerFunctions>().Get(typeof(TJob))));
        return services;
    }
}
