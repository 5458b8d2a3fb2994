using FunctionsJobs.Core.Scheduling;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace FunctionsJobs.Core.SalesReport;

public static class SalesReportServiceCollectionExtensions
{
    /// <summary>The nightly sales report for both runtimes; it reads the Orders table that <c>AddOrders</c> registers.</summary>
    public static IServiceCollection AddSalesReport(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(SalesReportSettings.FromConfiguration(configuration));
        services.AddScheduledJob<NightlySalesReportJob>();
        return services;
    }
}
