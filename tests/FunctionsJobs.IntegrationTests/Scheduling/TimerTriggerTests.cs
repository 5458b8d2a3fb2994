using System.Globalization;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using FunctionsJobs.Core.Scheduling;
using FunctionsJobs.Host.Scheduling;
using FunctionsJobs.Testing;

namespace FunctionsJobs.IntegrationTests.Scheduling;

/// <summary>The Functions timer-trigger semantics of the Host against a real Azurite.</summary>
public sealed class TimerTriggerTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private const string Daily = "0 0 3 * * *";
    private const string EverySecond = "*/1 * * * * *";

    [Fact]
    public async Task A_missed_occurrence_is_run_once_past_due_on_start_however_many_ticks_were_missed()
    {
        await using var harness = new TimerHarness(azurite.ConnectionString, new() { [ProbeJob.Setting] = Daily });
        JobSchedule.TryParse(Daily, TimeZoneInfo.Utc, out var schedule);
        var last = DateTimeOffset.UtcNow.AddDays(-5);
        var missed = schedule!.GetNextOccurrence(last);
        await harness.WriteStatusAsync(new TimerStatus(last, missed, last));

        var host = await harness.StartHostAsync();
        await harness.Probe.WaitUntilAsync(p => p.Completed.Count == 1);
        await host.Logs.WaitForAsync(e => e.Message.StartsWith("Function ProbeJob: next occurrence at", StringComparison.Ordinal), TimeSpan.FromSeconds(30));

        var run = Assert.Single(harness.Probe.Completed);
        Assert.True(run.IsPastDue);
        Assert.Equal(JobTrigger.Schedule, run.Trigger);
        Assert.Equal(missed, run.ScheduledFor);
        Assert.Single(harness.Probe.Started);
        var status = await harness.ReadStatusAsync();
        Assert.True(status.Next > DateTimeOffset.UtcNow, $"next {status.Next:o} should be ahead");
        Assert.Equal(schedule.GetNextOccurrence(status.Last!.Value), status.Next);
        var recorded = Assert.Single(await harness.RunsAsync());
        Assert.True(recorded.IsPastDue);
        Assert.Equal(JobOutcome.Succeeded, recorded.Outcome);
        Assert.Equal(missed, recorded.ScheduledFor);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task RunOnStartup_runs_the_job_once_at_start_only_when_set(bool runOnStartup)
    {
        var settings = new Dictionary<string, string> { [ProbeJob.Setting] = Daily };
        if (runOnStartup)
        {
            settings[TimerOptions.RunOnStartupSetting(ProbeJob.FunctionName)] = "true";
        }

        await using var harness = new TimerHarness(azurite.ConnectionString, settings);
        var host = await harness.StartHostAsync();
        if (runOnStartup)
        {
            await harness.Probe.WaitUntilAsync(p => p.Completed.Count == 1);
        }

        await host.Logs.WaitForAsync(e => e.Message.StartsWith("Function ProbeJob: next occurrence at", StringComparison.Ordinal), TimeSpan.FromSeconds(30));

        Assert.Equal(runOnStartup ? 1 : 0, harness.Probe.Started.Count);
        if (runOnStartup)
        {
            var run = Assert.Single(harness.Probe.Completed);
            Assert.Equal(JobTrigger.RunOnStartup, run.Trigger);
            Assert.False(run.IsPastDue);
            Assert.Equal(JobTrigger.RunOnStartup, Assert.Single(await harness.RunsAsync()).Trigger);
        }
    }

    [Fact]
    public async Task A_run_longer_than_its_period_never_overlaps_itself_on_one_instance_or_two()
    {
        await using var harness = new TimerHarness(azurite.ConnectionString, new() { [ProbeJob.Setting] = EverySecond });
        harness.Probe.Block = true;
        harness.Probe.BlockFirstOnly = true;
        await harness.StartHostAsync();
        await harness.StartHostAsync();

        // While the first run holds the lock, ticks keep coming and find it busy.
        await harness.Probe.WaitUntilAsync(p => p.Started.Count == 1);
        await WaitForBusyAsync(harness, 2);
        Assert.Single(harness.Probe.Started);
        harness.Probe.Gate.Release();
        await harness.Probe.WaitUntilAsync(p => p.Completed.Count >= 4);
        var stopping = DateTimeOffset.UtcNow;
        foreach (var host in harness.Hosts)
        {
            await host.StopAsync();
        }

        Assert.Equal(1, harness.Probe.MaxRunning);
        var runs = (await harness.RunsAsync()).Where(r => r.StartedAt < stopping).OrderBy(r => r.StartedAt).ToList();
        Assert.All(runs, r => Assert.Equal(JobOutcome.Succeeded, r.Outcome));
        Assert.All(runs.Zip(runs.Skip(1)), pair => Assert.True(pair.First.EndedAt <= pair.Second.StartedAt, $"run {pair.Second.RunId} started before {pair.First.RunId} ended"));
        Assert.Equal(runs.Count, runs.Select(r => r.ScheduledFor).Distinct().Count());
    }

    [Fact]
    public async Task Losing_the_lock_lease_cancels_the_run_and_records_why()
    {
        await using var harness = new TimerHarness(azurite.ConnectionString, new() { [TimerOptions.LockPeriodSetting] = "00:00:15" });
        harness.Probe.Block = true;
        var host = await harness.StartHostAsync();
        using var request = host.Request(HttpMethod.Post, $"/admin/functions/{ProbeJob.FunctionName}", TestHost.MasterKey);
        using var accepted = await host.Http.SendAsync(request);
        accepted.EnsureSuccessStatusCode();
        await harness.Probe.WaitUntilAsync(p => p.Started.Count == 1);

        // Another party takes the lock away: the next renewal finds the lease broken.
        await harness.LockBlob.GetBlobLeaseClient().BreakAsync(TimeSpan.Zero);

        await harness.Probe.WaitUntilAsync(p => p.Cancelled.Count == 1, TimeSpan.FromSeconds(20));
        await host.Logs.WaitForAsync(e => e.Message.Contains("lost the lock lease", StringComparison.Ordinal), TimeSpan.FromSeconds(5));
        var run = await harness.EventuallyRunAsync(r => r.Outcome != JobOutcome.Running);
        Assert.Equal(JobOutcome.Cancelled, run.Outcome);
        Assert.Contains("lost the lock lease", run.Error, StringComparison.Ordinal);
        Assert.Empty(harness.Probe.Completed);
    }

    [Fact]
    public async Task Progress_is_visible_in_the_run_history_while_the_job_runs()
    {
        await using var harness = new TimerHarness(azurite.ConnectionString);
        harness.Probe.Block = true;
        var host = await harness.StartHostAsync();
        using var request = host.Request(HttpMethod.Post, $"/admin/functions/{ProbeJob.FunctionName}", TestHost.MasterKey);
        (await host.Http.SendAsync(request)).EnsureSuccessStatusCode();

        var running = await harness.EventuallyRunAsync(r => r.ItemsProcessed == 3);

        Assert.Equal(JobOutcome.Running, running.Outcome);
        Assert.Equal(50, running.Progress);
        Assert.Null(running.EndedAt);
        Assert.Equal(string.Create(CultureInfo.InvariantCulture, $"{Environment.MachineName}:{Environment.ProcessId}"), running.Instance);
        harness.Probe.Gate.Release();
        var finished = await harness.EventuallyRunAsync(r => r.Outcome != JobOutcome.Running);
        Assert.Equal(JobOutcome.Succeeded, finished.Outcome);
        Assert.Equal(100, finished.Progress);
        Assert.Equal(LeaseState.Available, (await harness.LockBlob.GetPropertiesAsync()).Value.LeaseState);
    }

    private static async Task WaitForBusyAsync(TimerHarness harness, int count)
    {
        await Queues.QueueHarness.EventuallyAsync(
            () => Task.FromResult(harness.Hosts.Sum(h => h.Logs.Entries.Count(e => e.Message.Contains("the lock is held elsewhere", StringComparison.Ordinal))) >= count),
            $"{count} ticks that found the lock held");
    }
}
