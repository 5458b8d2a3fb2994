using System.Net;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using FunctionsJobs.Core.Scheduling;
using FunctionsJobs.Host.Scheduling;
using FunctionsJobs.IntegrationTests.Queues;
using FunctionsJobs.Testing;
using Microsoft.Extensions.Logging;

namespace FunctionsJobs.IntegrationTests.Scheduling;

/// <summary>
/// Faults of the Host's timers: a busy lock at an occurrence, a job that ignores functionTimeout, a
/// timed-out run, lock renewals that do not answer (through <see cref="StorageFaultProxy"/>).
/// </summary>
public sealed class TimerFaultTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private const string ShortLock = "00:00:15";

    [Fact]
    public async Task An_occurrence_due_while_a_manual_run_holds_the_lock_runs_as_soon_as_the_lock_frees()
    {
        await using var harness = new TimerHarness(azurite.ConnectionString, new() { [TimerOptions.LockPeriodSetting] = ShortLock });
        var due = DailyOccurrenceSoon(harness, TimeSpan.FromSeconds(8));
        harness.Probe.Block = true;
        harness.Probe.BlockFirstOnly = true;
        var host = await harness.StartHostAsync();
        using (var accepted = await TimerHarness.RunByHandAsync(host))
        {
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        }

        await harness.Probe.WaitUntilAsync(p => p.Started.Count == 1);
        await host.Logs.WaitForAsync(e => e.Message.Contains("the lock is held elsewhere", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        Assert.True(DateTimeOffset.UtcNow >= due);

        harness.Probe.Gate.Release();
        var freedAt = DateTimeOffset.UtcNow;
        await harness.Probe.WaitUntilAsync(p => p.Completed.Count == 2, harness.Options.LockPeriod + TimeSpan.FromMinutes(1));

        Assert.Equal(JobTrigger.Manual, harness.Probe.Completed.First().Trigger);
        Assert.Equal(JobTrigger.Schedule, harness.Probe.Completed.Last().Trigger);
        var scheduled = await harness.EventuallyRunAsync(r => r.Trigger == JobTrigger.Schedule);
        Assert.Equal(due, scheduled.ScheduledFor);
        Assert.True(scheduled.StartedAt - freedAt < harness.Options.LockPeriod + TimeSpan.FromMinutes(1), $"ran {scheduled.StartedAt - freedAt} after the lock was free");
    }

    [Fact]
    public async Task An_occurrence_due_while_a_dead_instance_holds_the_lease_runs_once_the_lease_lapses()
    {
        await using var harness = new TimerHarness(azurite.ConnectionString, new() { [TimerOptions.LockPeriodSetting] = ShortLock });
        var due = DailyOccurrenceSoon(harness, TimeSpan.FromSeconds(8));

        // An instance took the lock and died: nobody renews its lease, which lapses 15 s after it was taken.
        await harness.Container.CreateIfNotExistsAsync();
        await harness.LockBlob.UploadAsync(BinaryData.Empty, overwrite: true);
        var takenAt = DateTimeOffset.UtcNow;
        await harness.LockBlob.GetBlobLeaseClient().AcquireAsync(TimeSpan.FromSeconds(15));
        var host = await harness.StartHostAsync();

        await host.Logs.WaitForAsync(e => e.Message.Contains("the lock is held elsewhere", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        await harness.Probe.WaitUntilAsync(p => p.Completed.Count == 1, TimeSpan.FromSeconds(15) + TimeSpan.FromMinutes(1));

        Assert.Equal(JobTrigger.Schedule, Assert.Single(harness.Probe.Completed).Trigger);
        var run = await harness.EventuallyRunAsync(r => r.Trigger == JobTrigger.Schedule);
        Assert.Equal(due, run.ScheduledFor);
        Assert.True(run.StartedAt >= takenAt.AddSeconds(15), "ran while the dead instance's lease held");
        Assert.True(run.StartedAt - takenAt < TimeSpan.FromSeconds(15) + TimeSpan.FromMinutes(1), $"ran {run.StartedAt - takenAt} after the lock was taken");
    }

    [Fact]
    public async Task A_job_that_ignores_its_cancellation_past_functionTimeout_is_abandoned_its_lock_lapses_and_the_schedule_advances()
    {
        await using var harness = new TimerHarness(azurite.ConnectionString, new()
        {
            [TimerOptions.LockPeriodSetting] = ShortLock,
            ["AzureFunctionsJobHost:functionTimeout"] = "00:00:01",
            ["FunctionsJobs:FunctionTimeoutGrace"] = "00:00:01",
        });
        var due = DailyOccurrenceSoon(harness, TimeSpan.FromSeconds(5));
        harness.Probe.Block = true;
        harness.Probe.IgnoreCancellation = true;
        var host = await harness.StartHostAsync();

        var error = await host.Logs.WaitForAsync(e => e.Level == LogLevel.Error && e.Message.Contains("abandoned", StringComparison.Ordinal), TimeSpan.FromSeconds(40));
        Assert.Contains("functionTimeout 00:00:01 exceeded", error.Message, StringComparison.Ordinal);
        var run = await harness.EventuallyRunAsync(r => r.Outcome != JobOutcome.Running);
        Assert.Equal(JobOutcome.Failed, run.Outcome);
        Assert.Contains("abandoned", run.Error, StringComparison.Ordinal);
        Assert.Equal(due, run.ScheduledFor);

        // The schedule advanced past the occurrence, so it does not run again back to back.
        await QueueHarness.EventuallyAsync(async () => (await harness.ReadStatusAsync()).Last is not null, "the schedule monitor advanced");
        Assert.True((await harness.ReadStatusAsync()).Next > due.AddHours(23));

        // No longer renewed, the lock lapses within its period while the abandoned job still runs.
        await QueueHarness.EventuallyAsync(async () => (await harness.LockBlob.GetPropertiesAsync()).Value.LeaseState != LeaseState.Leased, "the lock lapsed", TimeSpan.FromSeconds(40));
        Assert.Single(harness.Probe.Started);
        Assert.Empty(harness.Probe.Completed);

        // Its slot counts free: the host stops without waiting for the job.
        await host.StopAsync();
        Assert.Empty(harness.Probe.Completed);
    }

    [Fact]
    public async Task A_scheduled_run_cancelled_by_functionTimeout_advances_the_schedule_and_is_not_run_again_back_to_back()
    {
        await using var harness = new TimerHarness(azurite.ConnectionString, new() { ["AzureFunctionsJobHost:functionTimeout"] = "00:00:00.500" });
        var due = DailyOccurrenceSoon(harness, TimeSpan.FromSeconds(5));
        harness.Probe.Block = true;
        await harness.StartHostAsync();

        await QueueHarness.EventuallyAsync(async () => await harness.StatusBlob.ExistsAsync() && (await harness.ReadStatusAsync()).Last is not null, "the schedule monitor advanced", TimeSpan.FromSeconds(40));

        var status = await harness.ReadStatusAsync();
        Assert.True(status.Next > due.AddHours(23), $"next {status.Next:o}");
        var run = await harness.EventuallyRunAsync(r => r.Outcome != JobOutcome.Running);
        Assert.Equal(JobOutcome.Cancelled, run.Outcome);
        Assert.Equal("functionTimeout 00:00:00.5000000 exceeded", run.Error);
        Assert.Single(harness.Probe.Started);
    }

    [Fact]
    public async Task A_lock_renewal_that_never_answers_cancels_the_run_before_another_instance_can_take_the_lock()
    {
        await using var proxy = await StorageFaultProxy.StartAsync(azurite.Server);
        await using var harness = new TimerHarness(proxy.ConnectionString, new() { [TimerOptions.LockPeriodSetting] = ShortLock });
        harness.Probe.Block = true;
        var host = await harness.StartHostAsync();
        using var hang = proxy.Inject(r => r.IsLeaseRenewal && r.Path.EndsWith(ProbeJob.FunctionName, StringComparison.Ordinal), StorageFault.Hang);

        using (var accepted = await TimerHarness.RunByHandAsync(host))
        {
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        }

        await harness.Probe.WaitUntilAsync(p => p.Started.Count == 1);
        await harness.Probe.WaitUntilAsync(p => p.Cancelled.Count == 1, TimeSpan.FromSeconds(30));

        // Cancelled while the lease still holds: no other instance could have taken the lock yet.
        await AssertNobodyElseCanTakeTheLockAsync(harness);
        var run = await harness.EventuallyRunAsync(r => r.Outcome != JobOutcome.Running);
        Assert.Equal(JobOutcome.Cancelled, run.Outcome);
        Assert.Contains("could not confirm a renewal", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_lock_renewal_that_does_not_answer_once_is_retried_and_the_lock_stays_held()
    {
        await using var proxy = await StorageFaultProxy.StartAsync(azurite.Server);
        await using var harness = new TimerHarness(proxy.ConnectionString, new() { [TimerOptions.LockPeriodSetting] = ShortLock });
        harness.Probe.Block = true;
        var host = await harness.StartHostAsync();
        bool Renewal(ProxiedRequest r) => r.IsLeaseRenewal && r.Path.EndsWith(ProbeJob.FunctionName, StringComparison.Ordinal);
        using var hangOnce = proxy.Inject(Renewal, StorageFault.Hang, times: 1);

        using (var accepted = await TimerHarness.RunByHandAsync(host))
        {
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        }

        await harness.Probe.WaitUntilAsync(p => p.Started.Count == 1);

        // The hung renewal, its retry, and two renewals on the retried lease: past the 15 s the lease
        // had when the hung renewal was sent.
        await QueueHarness.EventuallyAsync(() => Task.FromResult(proxy.Seen.Count(Renewal) >= 4), "four renewals", TimeSpan.FromSeconds(40));

        await AssertNobodyElseCanTakeTheLockAsync(harness);
        Assert.Empty(harness.Probe.Cancelled);

        harness.Probe.Gate.Release();
        var run = await harness.EventuallyRunAsync(r => r.Outcome != JobOutcome.Running);
        Assert.Equal(JobOutcome.Succeeded, run.Outcome);
    }

    /// <summary>Another instance trying the lock now (straight at Azurite, past the proxy) finds it leased.</summary>
    private async Task AssertNobodyElseCanTakeTheLockAsync(TimerHarness harness)
    {
        var other = new BlobClient(azurite.ConnectionString, TimerOptions.HostsContainer, harness.Options.LockBlobName(ProbeJob.FunctionName)).GetBlobLeaseClient();
        var refused = await Assert.ThrowsAsync<RequestFailedException>(() => other.AcquireAsync(TimeSpan.FromSeconds(15)));
        Assert.Equal(409, refused.Status);
    }

    /// <summary>Sets the probe's schedule to once a day, at a whole second shortly from now (in the harness's time zone).</summary>
    private static DateTimeOffset DailyOccurrenceSoon(TimerHarness harness, TimeSpan fromNow)
    {
        var at = DateTimeOffset.UtcNow + fromNow;
        var due = new DateTimeOffset(at.Ticks - (at.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
        var local = TimeZoneInfo.ConvertTime(due, harness.Options.TimeZone);
        harness.Settings[ProbeJob.Setting] = FormattableString.Invariant($"{local.Second} {local.Minute} {local.Hour} * * *");
        return due;
    }
}
