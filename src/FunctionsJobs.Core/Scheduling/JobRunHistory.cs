using System.Globalization;
using Azure;
using Azure.Data.Tables;
using FunctionsJobs.Core.Settings;
using FunctionsJobs.Core.Storage;
using Microsoft.Extensions.Configuration;

namespace FunctionsJobs.Core.Scheduling;

/// <summary>
/// Every run of every job in one table: partition = job name, row key = run id. A run id starts
/// with the inverted start time, so a partition lists newest first and old runs form a range.
/// </summary>
public sealed class JobRunHistory
{
    /// <summary>Running but silent for this many progress intervals: the process that ran it is gone.</summary>
    public const int AbandonedAfterIntervals = 6;
    private const int MaxErrorLength = 4000;

    private readonly TableClient _table;
    private readonly TimeProvider _time;
    private readonly TimeSpan _abandonedAfter;
    private readonly CreateOnce _created;

    public JobRunHistory(StorageAccount storage, IConfiguration configuration, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(storage);
        _table = storage.Tables.GetTableClient(configuration.GetSetting(SchedulingSettings.JobRunsTableSetting, SchedulingSettings.DefaultJobRunsTable));
        _created = new CreateOnce(ct => _table.CreateIfNotExistsAsync(ct));
        _time = time;
        ProgressInterval = configuration.GetTimeSpan(SchedulingSettings.ProgressIntervalSetting, SchedulingSettings.DefaultProgressInterval, TimeSpan.FromMilliseconds(100));
        _abandonedAfter = ProgressInterval * AbandonedAfterIntervals < TimeSpan.FromMinutes(1) ? TimeSpan.FromMinutes(1) : ProgressInterval * AbandonedAfterIntervals;
    }

    public TableClient Table => _table;

    /// <summary>How often a running job's progress and heartbeat are written.</summary>
    public TimeSpan ProgressInterval { get; }

    /// <summary>The row key prefix of runs started at <paramref name="startedAt"/>: later starts sort first.</summary>
    public static string InvertedTicks(DateTimeOffset startedAt) =>
        (DateTimeOffset.MaxValue.UtcTicks - startedAt.UtcTicks).ToString("D19", CultureInfo.InvariantCulture);

    /// <summary>Run ids are <see cref="InvertedTicks"/>, a dash and eight hex digits; anything else names no run.</summary>
    public static bool IsValidRunId(string? runId) =>
        runId is { Length: 28 } && runId[19] == '-' && runId[..19].All(char.IsAsciiDigit) && runId[20..].All(char.IsAsciiHexDigitLower);

    public async Task<JobRun> StartAsync(string jobName, JobTrigger trigger, bool isPastDue, DateTimeOffset? scheduledFor, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var run = new JobRun(
            jobName, $"{InvertedTicks(now)}-{Guid.NewGuid():N}"[..28], trigger, isPastDue, scheduledFor, now, null, JobOutcome.Running, 0, null, null,
            string.Create(CultureInfo.InvariantCulture, $"{Environment.MachineName}:{Environment.ProcessId}"), now);
        await EnsureCreatedAsync(cancellationToken).ConfigureAwait(false);
        await _table.AddEntityAsync(ToEntity(run), cancellationToken).ConfigureAwait(false);
        return run;
    }

    /// <summary>Writes progress and the heartbeat of a running job.</summary>
    public Task ReportAsync(JobRun run, long items, double? percent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var entity = new TableEntity(run.JobName, run.RunId)
        {
            [nameof(JobRun.ItemsProcessed)] = items,
            [nameof(JobRun.Progress)] = percent,
            [nameof(JobRun.HeartbeatAt)] = _time.GetUtcNow(),
        };
        return _table.UpdateEntityAsync(entity, ETag.All, TableUpdateMode.Merge, cancellationToken);
    }

    public async Task<JobRun> CompleteAsync(JobRun run, JobOutcome outcome, long items, double? percent, string? error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var now = _time.GetUtcNow();
        var finished = run with
        {
            EndedAt = now,
            Outcome = outcome,
            ItemsProcessed = items,
            Progress = outcome == JobOutcome.Succeeded ? 100 : percent,
            Error = error is { Length: > MaxErrorLength } ? error[..MaxErrorLength] : error,
            HeartbeatAt = now,
        };
        await _table.UpsertEntityAsync(ToEntity(finished), TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
        return finished;
    }

    /// <summary>The newest runs of a job first.</summary>
    public async Task<IReadOnlyList<JobRun>> ListAsync(string jobName, int max, CancellationToken cancellationToken)
    {
        var runs = new List<JobRun>();
        try
        {
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {jobName}");
            await foreach (var entity in _table.QueryAsync<TableEntity>(filter, maxPerPage: Math.Min(max, 1000), cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                runs.Add(FromEntity(entity));
                if (runs.Count >= max)
                {
                    break;
                }
            }
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // No table yet: no job has run.
        }

        return runs;
    }

    public async Task<JobRun?> GetAsync(string jobName, string runId, CancellationToken cancellationToken)
    {
        try
        {
            var response = await _table.GetEntityIfExistsAsync<TableEntity>(jobName, runId, cancellationToken: cancellationToken).ConfigureAwait(false);
            return response.HasValue ? FromEntity(response.Value!) : null;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    private Task EnsureCreatedAsync(CancellationToken cancellationToken) => _created.EnsureAsync(cancellationToken);

    private static TableEntity ToEntity(JobRun run) => new(run.JobName, run.RunId)
    {
        [nameof(JobRun.Trigger)] = run.Trigger.ToString(),
        [nameof(JobRun.IsPastDue)] = run.IsPastDue,
        [nameof(JobRun.ScheduledFor)] = run.ScheduledFor,
        [nameof(JobRun.StartedAt)] = run.StartedAt,
        [nameof(JobRun.EndedAt)] = run.EndedAt,
        [nameof(JobRun.Outcome)] = run.Outcome.ToString(),
        [nameof(JobRun.ItemsProcessed)] = run.ItemsProcessed,
        [nameof(JobRun.Progress)] = run.Progress,
        [nameof(JobRun.Error)] = run.Error,
        [nameof(JobRun.Instance)] = run.Instance,
        [nameof(JobRun.HeartbeatAt)] = run.HeartbeatAt,
    };

    private JobRun FromEntity(TableEntity entity)
    {
        var outcome = Enum.TryParse<JobOutcome>(entity.GetString(nameof(JobRun.Outcome)), out var parsed) ? parsed : JobOutcome.Running;
        var heartbeat = entity.GetDateTimeOffset(nameof(JobRun.HeartbeatAt)) ?? entity.GetDateTimeOffset(nameof(JobRun.StartedAt)) ?? DateTimeOffset.MinValue;
        if (outcome == JobOutcome.Running && _time.GetUtcNow() - heartbeat > _abandonedAfter)
        {
            outcome = JobOutcome.Abandoned;
        }

        return new JobRun(
            entity.PartitionKey,
            entity.RowKey,
            Enum.TryParse<JobTrigger>(entity.GetString(nameof(JobRun.Trigger)), out var trigger) ? trigger : JobTrigger.Schedule,
            entity.GetBoolean(nameof(JobRun.IsPastDue)) ?? false,
            entity.GetDateTimeOffset(nameof(JobRun.ScheduledFor)),
            entity.GetDateTimeOffset(nameof(JobRun.StartedAt)) ?? DateTimeOffset.MinValue,
            entity.GetDateTimeOffset(nameof(JobRun.EndedAt)),
            outcome,
            entity.GetInt64(nameof(JobRun.ItemsProcessed)) ?? 0,
            entity.GetDouble(nameof(JobRun.Progress)),
            entity.GetString(nameof(JobRun.Error)),
            entity.GetString(nameof(JobRun.Instance)) ?? string.Empty,
            heartbeat);
    }
}
