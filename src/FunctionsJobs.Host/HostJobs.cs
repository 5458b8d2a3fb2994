using FunctionsJobs.Host.Callbacks;
using FunctionsJobs.Host.Orders;
using FunctionsJobs.Host.Retention;
using FunctionsJobs.Host.SalesReport;
using FunctionsJobs.Host.Scheduling;
using FunctionsJobs.Host.Thumbnails;

namespace FunctionsJobs.Host;

/// <summary>
/// The jobs the Host runs, the one place that lists them. Each registers and maps itself through
/// the same <see cref="IHostJob"/> shape, on the timer runtime that <c>AddHostScheduling</c> provides.
/// </summary>
internal static class HostJobs
{
    public static void Add(WebApplicationBuilder builder)
    {
        builder.Services.AddHostScheduling(builder.Configuration);
        Add<OrdersJob>(builder);
        Add<ThumbnailsJob>(builder);
        Add<SalesReportJob>(builder);
        Add<RetentionJob>(builder);
        Add<CallbacksJob>(builder);
    }

    public static void Map(WebApplication app)
    {
        app.MapScheduling();
        Map<OrdersJob>(app);
        Map<ThumbnailsJob>(app);
        Map<SalesReportJob>(app);
        Map<RetentionJob>(app);
        Map<CallbacksJob>(app);
    }

    private static void Add<TJob>(WebApplicationBuilder builder)
        where TJob : IHostJob => TJob.Add(builder);

    private static void Map<TJob>(WebApplication app)
        where TJob : IHostJob => TJob.Map(app);
}
