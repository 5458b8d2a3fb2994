namespace FunctionsJobs.Core.Thumbnails;

/// <summary>The thumbnail reconciliation job and the orphaned-thumbnails retention: names, schedule and retention.</summary>
public static class ThumbnailReconciliationSettings
{
    public const string FunctionName = "ThumbnailReconciliation";
    public const string ScheduleSetting = "ThumbnailReconciliationSchedule";

    /// <summary>
    /// Hourly: in Azure Event Grid announces every blob, so the reconciliation is a safety net (a
    /// lost event, a deleted thumbnail, a changed size list), and a pass costs a few requests per image.
    /// </summary>
    public const string DefaultSchedule = "0 0 * * * *";

    /// <summary>The <c>data.api</c> of the events the reconciliation queues: the handler then checks the thumbnail blobs themselves.</summary>
    public const string EventApi = "FunctionsJobs.ThumbnailReconciliation";

    public const string OrphanedThumbnailsDaysSetting = "RetentionOrphanedThumbnailsDays";
    public const int DefaultOrphanedThumbnailsDays = 7;
}
