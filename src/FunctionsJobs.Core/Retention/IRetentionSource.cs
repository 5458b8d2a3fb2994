using FunctionsJobs.Core.Scheduling;

namespace FunctionsJobs.Core.Retention;

/// <summary>
/// One kind of record the retention clean-up removes once it is older than its retention. A job
/// whose records expire registers a source with <c>services.AddRetentionSource&lt;T&gt;()</c>.
/// Purging must be safe to repeat: a run cut short is run again.
/// </summary>
public interface IRetentionSource
{
    /// <summary>Names the kind of record in logs and errors, e.g. <c>job-runs</c>.</summary>
    string Name { get; }

    /// <summary>How long records are kept, from the source's setting.</summary>
    TimeSpan Retention { get; }

    /// <summary>Deletes the records older than <paramref name="cutoff"/>, reporting each deletion; returns how many it deleted.</summary>
    Task<long> PurgeAsync(DateTimeOffset cutoff, JobProgress progress, CancellationToken cancellationToken);
}
