using FunctionsJobs.Core.Settings;
using FunctionsJobs.Core.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace FunctionsJobs.Core.Scheduling;

/// <summary>The checkpoint container; hands each run the checkpoints of its own job.</summary>
public sealed class JobCheckpointStore(StorageAccount storage, IConfiguration configuration, ILogger<JobCheckpoints> logger)
{
    private readonly Azure.Storage.Blobs.BlobContainerClient _container = storage.Blobs.GetBlobContainerClient(
        configuration.GetSetting(SchedulingSettings.CheckpointsContainerSetting, SchedulingSettings.DefaultCheckpointsContainer));

    public JobCheckpoints For(string jobName) =>
        new(_container, jobName, logger, ct => _container.CreateIfNotExistsAsync(cancellationToken: ct));
}
