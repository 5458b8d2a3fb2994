using FunctionsJobs.Core.Scheduling;
using Microsoft.Extensions.Logging;

namespace FunctionsJobs.Core.Retention;

/// <summary>
/// Deletes what has outlived its retention, one <see cref="IRetentionSource"/> after the other. One
/// failing source does not keep the others from running; the run then fails, naming it.
/// </summary>
public sealed partial class RetentionCleanupJob(IEnumerable<IRetentionSource> sources, TimeProvider time, ILogger<RetentionCleanupJob> logger) : IScheduledJob
{
    private readonly IRetentionSource[] _sources = [.. sources];

    public string Name => RetentionSettings.FunctionName;

    public string ScheduleSetting => RetentionSettings.ScheduleSetting;

    public string DefaultSchedule => RetentionSettings.DefaultSchedule;

    public async Task RunAsync(JobRunContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var failed = new List<(string Source, Exception Error)>();
        for (var i = 0; i < _sources.Length; i++)
        {
            var source = _sources[i];
            var cutoff = time.GetUtcNow() - source.Retention;
            try
            {
                var deleted = await source.PurgeAsync(cutoff, context.Progress, cancellationToken).ConfigureAwait(false);
                LogPurged(source.Name, deleted, cutoff);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                LogSourceFailed(ex, source.Name);
                failed.Add((source.Name, ex));
            }

            context.Progress.Add(0, 100.0 * (i + 1) / _sources.Length);
        }

        if (failed.Count > 0)
        {
            throw new AggregateException(
                $"retention clean-up failed for {string.Join(", ", failed.Select(f => $"{f.Source} ({f.Error.GetType().Name}: {f.Error.Message})"))}",
                failed.Select(f => f.Error));
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention: deleted {Deleted} {Source} records older than {Cutoff}")]
    private partial void LogPurged(string source, long deleted, DateTimeOffset cutoff);

    [LoggerMessage(Level = LogLevel.Error, Message = "Retention: purging {Source} failed; the other sources go on")]
    private partial void LogSourceFailed(Exception exception, string source);
}
