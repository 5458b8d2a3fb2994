using FunctionsJobs.Host.Callbacks;
using FunctionsJobs.Host.Scheduling;
using FunctionsJobs.Host.Orders;
using FunctionsJobs.Host.Thumbnails;

namespace FunctionsJobs.Host;

/// <summary>
/// The jobs the Host runs. Each job registers its triggers and maps its routes in a file of its
/// own folder (Thumbnails/, Orders/, Scheduling/); this is the one place that lists them.
/// </summary>
internal static class HostJobs
{
    public static void Add(WebApplicationBuilder builder)
    {
        builder.Services.AddHostScheduling(builder.Configuration);
        OrdersJob.Add(builder);
        builder.AddThumbnailsJob();
        CallbacksJob.Add(builder);
    }

    public static void Map(WebApplication app)
    {
        app.MapScheduling();
        OrdersJob.Map(app);
        app.MapThumbnails();
        CallbacksJob.Map(app);
    }
}
