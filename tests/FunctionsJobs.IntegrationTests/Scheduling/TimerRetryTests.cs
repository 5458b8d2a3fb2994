using System.Net;
using FunctionsJobs.Core.Scheduling;
using FunctionsJobs.IntegrationTests.Queues;
using FunctionsJobs.Testing;

namespace FunctionsJobs.IntegrationTests.Scheduling;

/// <summary>host.json <c>retry</c> on the Host's timer functions, as the Functions runtime applies it.</summary>
public sealed class TimerRetryTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private static readonly Dictionary<string, string> FixedDelay = new()
    {
        ["AzureFunctionsJobHost:retry:strategy"] = "fixedDelay",
        ["AzureFunctionsJobHost:retry:maxRetryCount"] = "2",
        ["AzureFunctionsJobHost:retry:delayInterval"] = "00:00:00.100",
    };

    [Fact]
    public async Task A_failed_run_is_retried_under_the_lock_and_each_attempt_is_a_run_of_its_own()
    {
        await using var harness = new TimerHarness(azurite.ConnectionString, FixedDelay);
        harness.Probe.FailRuns = 1;
        var host = await harness.StartHostAsync();

        using var accepted = await TimerHarness.RunByHandAsync(host);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        await harness.Probe.WaitUntilAsync(p => p.Completed.Count == 1);

        IReadOnlyList<JobRun> runs = [];
        await QueueHarness.EventuallyAsync(async () => (runs = await harness.RunsAsync()).Count == 2 && runs.All(r => r.Outcome != JobOutcome.Running), "both attempts recorded");
        var (first, retry) = (runs.Single(r => r.Trigger == JobTrigger.Manual), runs.Single(r => r.Trigger == JobTrigger.Retry));
        Assert.Equal(JobOutcome.Failed, first.Outcome);
        Assert.Contains("probe failure 1", first.Error, StringComparison.Ordinal);
        Assert.Equal(JobOutcome.Succeeded, retry.Outcome);
        Assert.True(retry.StartedAt >= first.EndedAt);
        Assert.Equal(1, harness.Probe.MaxRunning);
    }

    [Fact]
    public async Task Retries_stop_after_maxRetryCount_and_then_the_lock_is_free_again()
    {
        await using var harness = new TimerHarness(azurite.ConnectionString, FixedDelay);
        harness.Probe.FailRuns = 100;
        var host = await harness.StartHostAsync();

        using (await TimerHarness.RunByHandAsync(host))
        {
        }

        // Another manual run is accepted only once the lock is released, i.e. once the retries gave up.
        await QueueHarness.EventuallyAsync(async () => { using var again = await TimerHarness.RunByHandAsync(host); return again.StatusCode == HttpStatusCode.Accepted; }, "the lock released after the last retry");
        await QueueHarness.EventuallyAsync(async () => (await harness.RunsAsync()).Count(r => r.Outcome == JobOutcome.Failed) >= 4, "the second manual run failed too");

        var runs = (await harness.RunsAsync()).OrderBy(r => r.StartedAt).ToList();
        Assert.Equal([JobTrigger.Manual, JobTrigger.Retry, JobTrigger.Retry, JobTrigger.Manual], runs.Take(4).Select(r => r.Trigger));
        Assert.All(runs.Take(4), r => Assert.Equal(JobOutcome.Failed, r.Outcome));
    }

    [Fact]
    public async Task With_maxRetryCount_zero_a_failed_run_is_not_run_again()
    {
        await using var harness = new TimerHarness(azurite.ConnectionString, new(FixedDelay) { ["AzureFunctionsJobHost:retry:maxRetryCount"] = "0" });
        harness.Probe.FailRuns = 1;
        var host = await harness.StartHostAsync();

        using (await TimerHarness.RunByHandAsync(host))
        {
        }

        await QueueHarness.EventuallyAsync(async () => { using var again = await TimerHarness.RunByHandAsync(host); return again.StatusCode == HttpStatusCode.Accepted; }, "the lock released after the failed run");
        await harness.Probe.WaitUntilAsync(p => p.Completed.Count == 1);

        // The probe sees the job finish before the runner records the end.
        IReadOnlyList<JobRun> runs = [];
        await QueueHarness.EventuallyAsync(async () => (runs = await harness.RunsAsync()).Count == 2 && runs.All(r => r.Outcome != JobOutcome.Running), "both runs recorded");
        Assert.Equal([(JobTrigger.Manual, JobOutcome.Failed), (JobTrigger.Manual, JobOutcome.Succeeded)], runs.OrderBy(r => r.StartedAt).Select(r => (r.Trigger, r.Outcome)));
    }

    [Fact]
    public async Task A_run_past_host_json_functionTimeout_is_cancelled_with_that_reason_and_retried()
    {
        await using var harness = new TimerHarness(azurite.ConnectionString, new(FixedDelay) { ["AzureFunctionsJobHost:functionTimeout"] = "00:00:00.500" });
        harness.Probe.Block = true;
        harness.Probe.BlockFirstOnly = true;
        var host = await harness.StartHostAsync();

        using (await TimerHarness.RunByHandAsync(host))
        {
        }

        await harness.Probe.WaitUntilAsync(p => p.Cancelled.Count == 1 && p.Completed.Count == 1);
        IReadOnlyList<JobRun> runs = [];
        await QueueHarness.EventuallyAsync(async () => (runs = await harness.RunsAsync()).Count == 2 && runs.All(r => r.Outcome != JobOutcome.Running), "both attempts recorded");
        var timedOut = runs.Single(r => r.Trigger == JobTrigger.Manual);
        Assert.Equal(JobOutcome.Cancelled, timedOut.Outcome);
        Assert.Equal("functionTimeout 00:00:00.5000000 exceeded", timedOut.Error);
        Assert.Equal(JobOutcome.Succeeded, runs.Single(r => r.Trigger == JobTrigger.Retry).Outcome);
    }
}
