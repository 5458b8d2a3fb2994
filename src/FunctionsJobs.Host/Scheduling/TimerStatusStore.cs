using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using FunctionsJobs.Core.Storage;

namespace FunctionsJobs.Host.Scheduling;

/// <summary>
/// The schedule monitor (Functions' <c>UseMonitor</c>): the blob
/// <c>azure-webjobs-hosts/timers/{hostId}/{function}/status</c> holds the last occurrence that ran,
/// the next one due and when it was written, in the JSON shape Functions writes. An instance that
/// starts after a missed occurrence sees it past due there.
/// </summary>
public sealed partial class TimerStatusStore(StorageAccount storage, TimerOptions options, ILogger<TimerStatusStore> logger)
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };
    private readonly BlobContainerClient _container = storage.Blobs.GetBlobContainerClient(TimerOptions.HostsContainer);

    /// <summary>The recorded status, or null when there is none (or it was unreadable, which is logged).</summary>
    public async Task<TimerStatus?> ReadAsync(string functionName, CancellationToken cancellationToken)
    {
        var blob = Blob(functionName);
        try
        {
            var content = (await blob.DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value.Content;
            return JsonSerializer.Deserialize<TimerStatus>(content, Json);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
        catch (JsonException ex)
        {
            LogUnreadable(functionName, blob.Name, ex.Message);
            return null;
        }
    }

    public Task WriteAsync(string functionName, TimerStatus status, CancellationToken cancellationToken) =>
        UploadAsync(functionName, status, new BlobUploadOptions(), cancellationToken);

    /// <summary>Writes the first status unless another instance wrote one first; returns what is recorded now.</summary>
    public async Task<TimerStatus> InitializeAsync(string functionName, TimerStatus initial, CancellationToken cancellationToken)
    {
        try
        {
            await UploadAsync(functionName, initial, new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } }, cancellationToken).ConfigureAwait(false);
            return initial;
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            return await ReadAsync(functionName, cancellationToken).ConfigureAwait(false) ?? initial;
        }
    }

    private async Task UploadAsync(string functionName, TimerStatus status, BlobUploadOptions uploadOptions, CancellationToken cancellationToken)
    {
        var content = BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(status, Json));
        var blob = Blob(functionName);
        try
        {
            await blob.UploadAsync(content, uploadOptions, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.ErrorCode == BlobErrorCode.ContainerNotFound)
        {
            await _container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            await blob.UploadAsync(content, uploadOptions, cancellationToken).ConfigureAwait(false);
        }
    }

    private BlobClient Blob(string functionName) => _container.GetBlobClient(options.StatusBlobName(functionName));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Timer {FunctionName}: status blob {BlobName} is unreadable and is treated as absent: {Reason}")]
    private partial void LogUnreadable(string functionName, string blobName, string reason);
}

/// <summary>The schedule monitor's record, named as Functions names it.</summary>
/// <param name="Last">The last occurrence that ran; null before the first run.</param>
/// <param name="Next">The next occurrence due.</param>
/// <param name="LastUpdated">When this record was written.</param>
public sealed record TimerStatus(DateTimeOffset? Last, DateTimeOffset Next, DateTimeOffset LastUpdated);
