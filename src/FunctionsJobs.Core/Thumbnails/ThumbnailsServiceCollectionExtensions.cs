using FunctionsJobs.Core.Retention;
using FunctionsJobs.Core.Scheduling;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace FunctionsJobs.Core.Thumbnails;

public static class ThumbnailsServiceCollectionExtensions
{
    /// <summary>The thumbnail job's domain, shared by both runtimes; settings are read (and checked) now.</summary>
    public static IServiceCollection AddThumbnails(this IServiceCollection services, IConfiguration configuration)
    {
        // Here because it is the earliest point both runtimes pass through, before libvips starts threads.
        NativeHeap.LimitArenas();
        services.TryAddSingleton(ThumbnailSettings.FromConfiguration(configuration));
        services.TryAddSingleton<ThumbnailGenerator>();
        services.TryAddSingleton<ImageDecodeSlots>();
        services.TryAddSingleton<ThumbnailStatusStore>();
        services.TryAddSingleton<ThumbnailBlobs>();
        services.TryAddSingleton<ThumbnailEvents>();
        services.TryAddSingleton<ThumbnailHandler>();
        services.TryAddSingleton<ThumbnailEventHandler>();
        services.TryAddSingleton<IUploadHandoff, NoUploadHandoff>();
        services.TryAddSingleton<ImageUploads>();
        services.TryAddSingleton<ImageQueries>();
        services.TryAddSingleton<BlobScanReceipts>();
        services.TryAddSingleton<ThumbnailBlobScanner>();
        services.AddScheduledJob<ThumbnailReconciliationJob>();
        services.AddRetentionSource<OrphanedThumbnailsRetention>();
        services.AddRetentionSource<ScanReceiptsRetention>();
        return services;
    }
}
