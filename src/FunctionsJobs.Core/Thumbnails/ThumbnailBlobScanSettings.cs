namespace FunctionsJobs.Core.Thumbnails;

/// <summary>The container scan that announces blobs no event announced: function names, the Functions schedule, markers.</summary>
public static class ThumbnailBlobScanSettings
{
    /// <summary>
    /// The Host runs the scan as its blob trigger, under the name of the Functions app's blob
    /// trigger (there Event Grid is its source; on the Host, the scan), so
    /// <c>AzureWebJobs.ThumbnailBlobTrigger.Disabled</c> switches it off where Event Grid pushes.
    /// </summary>
    public const string HostFunctionName = "ThumbnailBlobTrigger";

    /// <summary>The Functions app's timer twin, for <c>func start</c> with Azurite; Bicep disables it in Azure.</summary>
    public const string FunctionName = "ThumbnailBlobScan";

    /// <summary>The timer schedule of <see cref="FunctionName"/>: <c>hh:mm:ss</c> (a few seconds locally) or NCRONTAB.</summary>
    public const string ScheduleSetting = "ThumbnailBlobScanSchedule";

    /// <summary>Days a completed receipt is kept; it goes only once the watermark has passed it too.</summary>
    public const string ReceiptsDaysSetting = "RetentionScanReceiptsDays";

    public const int DefaultReceiptsDays = 7;

    /// <summary>The <c>data.api</c> of the events the scan queues.</summary>
    public const string EventApi = "FunctionsJobs.ThumbnailBlobScan";

    /// <summary>
    /// Blob metadata the upload route writes with the blob (one request, so no scan can see the
    /// blob without it): the route queues that blob's event itself, and the scan leaves it alone.
    /// The value is the blob's own name, so a copy of the blob under another name is announced.
    /// </summary>
    public const string UploadMarkerKey = "functionsjobsupload";
}
