using FunctionsJobs.Core.Retention;
using FunctionsJobs.Core.Scheduling;
using Microsoft.Extensions.Configuration;

namespace FunctionsJobs.Core.Callbacks;

/// <summary>Dead-lettered callbacks older than <c>RetentionCallbackDeadLettersDays</c> (30): an operator had a month to replay them.</summary>
public sealed class CallbackDeadLettersRetention(CallbackDeadLetters deadLetters, IConfiguration configuration) : IRetentionSource
{
    public string Name => "callback-dead-letters";

    public TimeSpan Retention { get; } = RetentionSettings.ReadDays(
        configuration, CallbackSettings.DeadLettersRetentionDaysSetting, CallbackSettings.DefaultDeadLettersRetentionDays);

    public Task<long> PurgeAsync(DateTimeOffset cutoff, JobProgress progress, CancellationToken cancellationToken) =>
        deadLetters.PurgeAsync(cutoff, progress, cancellationToken);
}
