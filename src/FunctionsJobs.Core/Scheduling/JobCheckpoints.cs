using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using FunctionsJobs.Core.Queues;
using Microsoft.Extensions.Logging;

namespace FunctionsJobs.Core.Scheduling;

/// <summary>
/// A job's checkpoints: JSON blobs <c>{job}/{key}.json</c> in the checkpoint container, written
/// whole (a blob upload is atomic, so a kill mid-write leaves the previous checkpoint). A checkpoint
/// that no longer reads as its type is discarded with a warning, and the job starts over.
/// </summary>
public sealed partial class JobCheckpoints
{
    private readonly BlobContainerClient _container;
    private readonly string _jobName;
    private readonly ILogger _logger;
    private readonly Func<CancellationToken, Task> _ensureContainer;

    internal JobCheckpoints(BlobContainerClient container, string jobName, ILogger logger, Func<CancellationToken, Task> ensureContainer)
    {
        _container = container;
        _jobName = jobName;
        _logger = logger;
        _ensureContainer = ensureContainer;
    }

    /// <summary>The checkpoint under <paramref name="key"/>, or null when there is none or it was corrupted.</summary>
    public async Task<T?> ReadAsync<T>(string key, CancellationToken cancellationToken)
        where T : class
    {
        var blob = Blob(key);
        BinaryData content;
        try
        {
            content = (await blob.DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value.Content;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<T>(content, JobJson.Options) ?? throw new JsonException("the checkpoint is JSON null");
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException)
        {
            LogCorrupted(_jobName, key, blob.Name, ex.Message);
            await blob.DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            return null;
        }
    }

    public async Task WriteAsync<T>(string key, T value, CancellationToken cancellationToken)
        where T : class
    {
        var content = BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(value, JobJson.Options));
        try
        {
            await Blob(key).UploadAsync(content, overwrite: true, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.ErrorCode == BlobErrorCode.ContainerNotFound)
        {
            await _ensureContainer(cancellationToken).ConfigureAwait(false);
            await Blob(key).UploadAsync(content, overwrite: true, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Removes a checkpoint once the work it tracked is done.</summary>
    public Task DeleteAsync(string key, CancellationToken cancellationToken) => Blob(key).DeleteIfExistsAsync(cancellationToken: cancellationToken);

    private BlobClient Blob(string key)
    {
        if (string.IsNullOrEmpty(key) || !key.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            throw new ArgumentException($"a checkpoint key is letters, digits, '-', '_' and '.', not '{key}'", nameof(key));
        }

        return _container.GetBlobClient($"{_jobName}/{key}.json");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobName}: checkpoint {CheckpointKey} ({BlobName}) is corrupted and was discarded; the work starts over: {Reason}")]
    private partial void LogCorrupted(string jobName, string checkpointKey, string blobName, string reason);
}
