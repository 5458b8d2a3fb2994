using FunctionsJobs.Core.SalesReport;
using FunctionsJobs.Host.Scheduling;

namespace FunctionsJobs.Host.SalesReport;

/// <summary>The nightly sales report on the Host: its timer (the twin of the Functions app's NightlySalesReport). Runs by hand go through <c>POST /admin/functions/{name}</c>.</summary>
internal sealed class SalesReportJob : IHostJob
{
    public static void Add(WebApplicationBuilder builder) => builder.Services.AddTimerFunction<NightlySalesReportJob>();

    public static void Map(WebApplication app)
    {
        // No routes of its own: the report's blobs and its runs are read through the job routes.
    }
}
