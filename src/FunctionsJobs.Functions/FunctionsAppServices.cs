using FunctionsJobs.Core;
using FunctionsJobs.Core.Scheduling;
using FunctionsJobs.Functions.Orders;
using FunctionsJobs.Functions.Scheduling;
using FunctionsJobs.Http.Dashboard;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace FunctionsJobs.Functions;

public static class FunctionsAppServices
{
    /// <summary>
    /// Every service the app's function classes need: the shared domain plus this runtime's part
    /// of it. Program.cs calls it, and so do the in-process tests, so they build what Azure runs.
    /// </summary>
    public static IServiceCollection AddFunctionsApp(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddFunctionsJobsCore(configuration);
        services.AddOrdersTransport(configuration);
        services.TryAddSingleton<IJobTimers, FunctionsJobTimers>();
        services.AddDashboard(Dashboard.Dashboard.Features);
        return services;
    }
}
