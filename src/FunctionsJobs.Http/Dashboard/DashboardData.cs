using FunctionsJobs.Core.Orders;
using FunctionsJobs.Core.Queues;
using FunctionsJobs.Core.Scheduling;
using FunctionsJobs.Core.Storage;
using FunctionsJobs.Core.Telemetry;
using FunctionsJobs.Core.Thumbnails;

namespace FunctionsJobs.Http.Dashboard;

/// <summary>
/// The answers of the dashboard's data routes. Every one is a bounded number of storage calls made
/// at once, whatever is stored: queues are a listing plus two reads per queue, jobs two reads per
/// job, orders and images one query of the <see cref="RecentItems"/> index plus one point read per
/// item shown. Nothing pages through the orders or images tables.
/// </summary>
public sealed class DashboardData(
    QueueOverview queues, IJobTimers timers, JobRunHistory history, RecentItems recent, OrderStore orders, ImageQueries images, QueueThroughput throughput, TimeProvider time)
{
    public const int RunsPerJob = 5;
    public const int DefaultItems = 20;
    public const int MaxItems = 100;

    public async Task<IReadOnlyList<DashboardQueue>> QueuesAsync(CancellationToken cancellationToken) =>
        [.. QueueOverview.Pair(await queues.SampleAsync(cancellationToken).ConfigureAwait(false)).Select(q => new DashboardQueue(
            q.Name, q.ApproximateMessageCount, q.OldestMessageAge?.TotalSeconds, q.PoisonQueue, q.PoisonMessageCount, q.OldestPoisonAge?.TotalSeconds))];

    public async Task<IReadOnlyList<DashboardJob>> JobsAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return await Task.WhenAll(timers.All.Select(async timer =>
        {
            var monitor = timers.ReadMonitorAsync(timer.Job.Name, cancellationToken);
            var runs = history.ListAsync(timer.Job.Name, RunsPerJob, cancellationToken);
            await Task.WhenAll(monitor, runs).ConfigureAwait(false);
            var latest = runs.Result.FirstOrDefault();
            return new DashboardJob(
                timer.Job.Name,
                timer.Schedule.Expression,
                timer.Job.ScheduleSetting,
                timer.Schedule.TimeZone.Id,
                monitor.Result?.Last ?? latest?.StartedAt,
                monitor.Result?.Next ?? timer.Schedule.GetNextOccurrence(now),
                latest is { Outcome: JobOutcome.Running } ? latest : null,
                runs.Result);
        })).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<OrderView>> OrdersAsync(int max, CancellationToken cancellationToken)
    {
        var ids = await recent.LatestAsync(RecentItems.Orders, max, cancellationToken).ConfigureAwait(false);
        var found = await Task.WhenAll(ids.Where(OrderId.IsValid).Select(id => orders.GetAsync(id, cancellationToken))).ConfigureAwait(false);
        return [.. found.OfType<Order>().Select(OrderView.Of)];
    }

    public async Task<IReadOnlyList<ImageStatusView>> ImagesAsync(int max, CancellationToken cancellationToken)
    {
        var ids = await recent.LatestAsync(RecentItems.Images, max, cancellationToken).ConfigureAwait(false);
        var found = await Task.WhenAll(ids.Where(ImageName.IsValidId).Select(id => images.GetRecordAsync(id, cancellationToken))).ConfigureAwait(false);
        return [.. found.OfType<ImageRecord>().Select(images.ViewOf)];
    }

    public ThroughputView Throughput() => throughput.Read();
}

/// <param name="OldestMessageSeconds">Age of the oldest visible message; null when the queue is empty.</param>
public sealed record DashboardQueue(string Name, int ApproximateMessageCount, double? OldestMessageSeconds, string PoisonQueue, int PoisonMessageCount, double? OldestPoisonSeconds);

/// <param name="Running">The run in progress, with its progress; null when none runs.</param>
/// <param name="LastRuns">The latest runs, newest first (the running one included).</param>
public sealed record DashboardJob(
    string Name, string Schedule, string ScheduleSetting, string TimeZone, DateTimeOffset? Last, DateTimeOffset Next, JobRun? Running, IReadOnlyList<JobRun> LastRuns);
