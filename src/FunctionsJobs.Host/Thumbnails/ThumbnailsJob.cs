using FunctionsJobs.Core.Thumbnails;
using FunctionsJobs.Host.Functions;
using FunctionsJobs.Host.Scheduling;
using FunctionsJobs.Host.Queues;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace FunctionsJobs.Host.Thumbnails;

/// <summary>
/// The thumbnail job on the Host. Where Azure has a blob trigger fed by Event Grid, the Host has
/// BlobCreated events in Event Grid shape on a queue, written by the upload route, by its own blob
/// trigger (a container scan, <see cref="ThumbnailBlobScanService"/>), by the reconciliation, or by an
/// Event Grid subscription with a storage-queue endpoint; the reconciliation timer catches the rest.
/// </summary>
internal sealed class ThumbnailsJob : IHostJob
{
    public const string EventsFunction = "ThumbnailBlobEvents";

    public static void Add(WebApplicationBuilder builder)
    {
        builder.Services.AddQueueFunction<ThumbnailEventHandler, BlobEvent>(
            builder.Configuration, EventsFunction, ThumbnailSettings.EventsQueueSetting, ThumbnailSettings.DefaultEventsQueue);
        builder.Services.AddTimerFunction<ThumbnailReconciliationJob>();

        var scanDisabled = FunctionSwitch.IsDisabled(builder.Configuration, ThumbnailBlobScanSettings.HostFunctionName);
        builder.Services.AddSingleton(sp => ActivatorUtilities.CreateInstance<ThumbnailBlobScanService>(sp, scanDisabled));
        builder.Services.AddSingleton<IHostFunction>(sp => sp.GetRequiredService<ThumbnailBlobScanService>());
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ThumbnailBlobScanService>());
        builder.Services.AddSingleton<InProcessUploadThumbnails>();
        builder.Services.Replace(ServiceDescriptor.Singleton<IUploadHandoff>(sp => sp.GetRequiredService<InProcessUploadThumbnails>()));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<InProcessUploadThumbnails>());
    }

    public static void Map(WebApplication app) => app.MapImageEndpoints();
}
