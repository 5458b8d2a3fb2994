using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace FunctionsJobs.Http.Dashboard;

public static class DashboardServiceCollectionExtensions
{
    /// <summary>The dashboard's data readers and what the page may offer in this runtime.</summary>
    public static IServiceCollection AddDashboard(this IServiceCollection services, DashboardFeatures features)
    {
        services.TryAddSingleton(features);
        services.TryAddSingleton<DashboardData>();
        return services;
    }
}
