using System.Diagnostics;
using System.Diagnostics.Metrics;
using FunctionsJobs.Core.Scheduling;

namespace FunctionsJobs.Core.Telemetry;

/// <summary>
/// The scheduled jobs' instruments and spans, fed by <see cref="JobRunner"/>, which both runtimes run
/// their timer functions through: one span per run (what the run sends, such as re-dispatched orders
/// or re-queued image events, carries it on), its duration and its outcome.
/// </summary>
public sealed class JobRunMetrics
{
    public const string RunsInstrument = "functionsjobs.job.runs";
    public const string DurationInstrument = "functionsjobs.job.run.duration";
    public const string ItemsInstrument = "functionsjobs.job.items";

    private readonly Counter<long> _runs;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _items;

    public JobRunMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(FunctionsJobsTelemetry.Name);
        _runs = meter.CreateCounter<long>(RunsInstrument, "{run}", "Job runs ended, by job, trigger and outcome (Succeeded, Failed, Cancelled).");
        _duration = meter.CreateHistogram<double>(
            DurationInstrument, "s", "How long a job run took, by job, trigger and outcome.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 0.5, 1, 5, 10, 30, 60, 300, 600, 1800, 3600] });
        _items = meter.CreateCounter<long>(ItemsInstrument, "{item}", "Items the job runs processed (the run history's ItemsProcessed), by job.");
    }

    public static Activity? StartRun(JobRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var activity = FunctionsJobsTelemetry.Source.StartActivity($"job {run.JobName}", ActivityKind.Internal);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("faas.name", run.JobName);
            activity.SetTag("faas.trigger", "timer");
            activity.SetTag("functionsjobs.job.run_id", run.RunId);
            activity.SetTag("functionsjobs.job.trigger", run.Trigger.ToString());
        }

        return activity;
    }

    public void Ended(Activity? activity, JobRun run, TimeSpan elapsed, Exception? failure)
    {
        ArgumentNullException.ThrowIfNull(run);
        var tags = new TagList
        {
            { "job", run.JobName },
            { "trigger", run.Trigger.ToString() },
            { "outcome", run.Outcome.ToString() },
        };
        _runs.Add(1, tags);
        _duration.Record(elapsed.TotalSeconds, tags);
        _items.Add(run.ItemsProcessed, new KeyValuePair<string, object?>("job", run.JobName));
        if (activity is not null)
        {
            activity.SetTag("functionsjobs.job.items", run.ItemsProcessed);
            activity.SetTag("functionsjobs.job.outcome", run.Outcome.ToString());
            if (failure is not null)
            {
                FunctionsJobsTelemetry.Fail(activity, failure);
            }
        }
    }
}
