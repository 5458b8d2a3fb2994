using System.Globalization;
using Azure;
using Azure.Data.Tables;
using FunctionsJobs.Core.Scheduling;
using FunctionsJobs.Core.Retention;
using FunctionsJobs.IntegrationTests.Queues;
using FunctionsJobs.IntegrationTests.Startup;
using Microsoft.Extensions.Configuration;
using Xunit.Abstractions;

namespace FunctionsJobs.IntegrationTests.Scheduling;

/// <summary>Host processes as operators run them, against one Azurite: start-up checks, singleton timers across instances, a killed lock holder.</summary>
public sealed class TimerProcessTests(AzuriteFixture azurite, ITestOutputHelper output) : IClassFixture<AzuriteFixture>, IDisposable
{
    /// <summary>
    /// The default suite runs a short variant; the issue's full run is
    /// <c>FUNCTIONSJOBS_TIMER_SECONDS=5 FUNCTIONSJOBS_TIMER_OCCURRENCES=100 dotnet test tests/FunctionsJobs.IntegrationTests --filter "FullyQualifiedName~TimerProcessTests.Three"</c>.
    /// </summary>
    private static readonly int Seconds = FromEnvironment("FUNCTIONSJOBS_TIMER_SECONDS", 1);
    private static readonly int Occurrences = FromEnvironment("FUNCTIONSJOBS_TIMER_OCCURRENCES", 30);
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly string _folder = Directory.CreateTempSubdirectory("functionsjobs-timers-").FullName;
    private readonly List<HostProcess> _hosts = [];

    public static TheoryData<string, string, string> BadSettings => new()
    {
        { "RetentionCleanupSchedule", "0 0 25 * * *", "setting 'RetentionCleanupSchedule' (schedule of function RetentionCleanup) must be a 6-field NCRONTAB expression" },
        { "RetentionCleanupSchedule", "*/5 * * * *", "setting 'RetentionCleanupSchedule' (schedule of function RetentionCleanup)" },
        { "WEBSITE_TIME_ZONE", "Atlantis/Capital", "setting 'WEBSITE_TIME_ZONE' names no time zone" },
        { "FunctionsJobs__Timers__LockPeriod", "00:05:00", "setting 'FunctionsJobs:Timers:LockPeriod'" },
        { "AzureFunctionsWebHost__hostid", "Not_Valid", "setting 'AzureFunctionsWebHost:hostid'" },
        { "FunctionsJobs__Timers__RetentionCleanup__RunOnStartup", "sometimes", "setting 'FunctionsJobs:Timers:RetentionCleanup:RunOnStartup' must be true or false" },
        { "RetentionJobRunsDays", "0", "setting 'RetentionJobRunsDays'" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task A_bad_timer_setting_fails_start_up_with_one_line_naming_it(string setting, string value, string expected)
    {
        await using var host = Start(new Dictionary<string, string?> { [setting] = value });

        Assert.Equal(1, await host.WaitForExitAsync(StartTimeout));
        var line = Assert.Single(host.StandardError);
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.StartsWith("FunctionsJobs.Host: start-up failed:", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Three_hosts_on_one_schedule_run_each_occurrence_exactly_once()
    {
        var (environment, history) = Shared($"*/{Seconds} * * * * *");
        for (var i = 0; i < 3; i++)
        {
            _hosts.Add(Start(environment));
        }

        await Task.WhenAll(_hosts.Select(h => h.WaitForRunningAsync(StartTimeout)));
        await QueueHarness.EventuallyAsync(
            async () => (await RunsAsync(history)).Count(r => r.Outcome == JobOutcome.Succeeded) >= Occurrences,
            $"{Occurrences} runs",
            TimeSpan.FromSeconds((Occurrences * Seconds) + 60));
        var stopping = DateTimeOffset.UtcNow;
        await StopAllAsync();

        // A run that a host began while it was being stopped is the shutdown's, not the schedule's.
        var runs = (await RunsAsync(history)).Where(r => r.StartedAt < stopping).OrderBy(r => r.ScheduledFor).ToList();
        JobSchedule.TryParse($"*/{Seconds} * * * * *", TimeZoneInfo.Utc, out var schedule);
        var duplicates = runs.GroupBy(r => r.ScheduledFor).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        var missed = new List<DateTimeOffset>();
        var caughtUp = 0;
        for (var i = 0; i + 1 < runs.Count; i++)
        {
            for (var occurrence = schedule!.GetNextOccurrence(runs[i].ScheduledFor!.Value); occurrence < runs[i + 1].ScheduledFor; occurrence = schedule.GetNextOccurrence(occurrence))
            {
                // A gap is allowed only where the run after it says it caught a missed occurrence up, as Functions does.
                if (runs[i].IsPastDue || runs[i + 1].IsPastDue)
                {
                    caughtUp++;
                }
                else
                {
                    missed.Add(occurrence);
                }
            }
        }

        output.WriteLine($"{runs.Count} runs every {Seconds} s by {string.Join(", ", runs.GroupBy(r => r.Instance).Select(g => $"{g.Key}: {g.Count()}"))}; " +
                         $"{caughtUp} occurrences collapsed into past-due runs");
        Assert.Empty(duplicates);
        Assert.Empty(missed);
        Assert.All(runs, r => Assert.Equal(JobOutcome.Succeeded, r.Outcome));
        var byStart = runs.OrderBy(r => r.StartedAt).ToList();
        Assert.All(byStart.Zip(byStart.Skip(1)), pair => Assert.True(pair.First.EndedAt <= pair.Second.StartedAt, $"{pair.Second.RunId} overlapped {pair.First.RunId}"));
    }

    [Fact]
    public async Task When_the_lock_holder_is_killed_another_host_takes_over_within_the_lease_period_plus_one_tick()
    {
        var lease = TimeSpan.FromSeconds(15);
        var tick = TimeSpan.FromSeconds(1);
        var (environment, history) = Shared("*/1 * * * * *");
        environment["FunctionsJobs__Timers__LockPeriod"] = "00:00:15";

        // Enough expired run history that one clean-up run lasts well beyond a tick: the holder is killed mid-run.
        await SeedOldRunsAsync(history, 10_000);
        for (var i = 0; i < 3; i++)
        {
            _hosts.Add(Start(environment));
        }

        JobRun? running = null;
        await QueueHarness.EventuallyAsync(
            async () => (running = (await RunsAsync(history)).FirstOrDefault(r => r.Outcome == JobOutcome.Running && r.ItemsProcessed > 0)) is not null,
            "a clean-up run in progress",
            TimeSpan.FromSeconds(90));
        var holder = _hosts.Single(h => running!.Instance.EndsWith(string.Create(CultureInfo.InvariantCulture, $":{h.Id}"), StringComparison.Ordinal));
        holder.Kill();
        var killedAt = DateTimeOffset.UtcNow;

        JobRun? takeover = null;
        await QueueHarness.EventuallyAsync(
            async () => (takeover = (await RunsAsync(history)).FirstOrDefault(r => r.StartedAt > killedAt)) is not null,
            "another host running the job",
            lease + tick + TimeSpan.FromSeconds(30));
        var after = takeover!.StartedAt - killedAt;
        output.WriteLine($"killed {running!.Instance} at {killedAt:O} after {running.ItemsProcessed} items; {takeover.Instance} took over {after.TotalSeconds:F1} s later (lease {lease.TotalSeconds:F0} s + tick {tick.TotalSeconds:F0} s)");

        Assert.NotEqual(running.Instance, takeover.Instance);
        // The requirement is lease + one tick; the slack covers what the test itself adds between the
        // takeover and the moment it observes it (process start-up polling, run record write and read),
        // which reached 2.4 s on two cores shared with parallel builds.
        Assert.True(after <= lease + tick + TimeSpan.FromSeconds(3), $"takeover after {after}");
        Assert.True(takeover.IsPastDue);
        Assert.Equal(running.ScheduledFor, takeover.ScheduledFor);
    }

    public void Dispose()
    {
        StopAllAsync().GetAwaiter().GetResult();
        Directory.Delete(_folder, recursive: true);
    }

    private async Task StopAllAsync()
    {
        foreach (var host in _hosts.Where(h => !h.HasExited))
        {
            host.Terminate();
        }

        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }

        _hosts.Clear();
    }

    private HostProcess Start(Dictionary<string, string?> environment)
    {
        var all = new Dictionary<string, string?>
        {
            ["AZURE_FUNCTIONS_ENVIRONMENT"] = "Development",
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
        };
        foreach (var (key, value) in environment)
        {
            all[key] = value;
        }

        return HostProcess.Start(_folder, all);
    }

    /// <summary>Settings three instances of one app share: a host id and a run history of this test's own.</summary>
    private (Dictionary<string, string?> Environment, JobRunHistory History) Shared(string schedule)
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        var environment = new Dictionary<string, string?>
        {
            ["AzureFunctionsWebHost__hostid"] = $"procs-{id}",
            [SchedulingSettings.JobRunsTableSetting] = $"JobRuns{id}",
            [SchedulingSettings.ProgressIntervalSetting] = "00:00:00.500",
            ["FunctionsJobs__DrainTimeout"] = "00:00:01",
            [RetentionSettings.ScheduleSetting] = schedule,
        };
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>(environment) { ["AzureWebJobsStorage"] = azurite.ConnectionString }).Build();
        return (environment, new JobRunHistory(Core.Storage.StorageAccount.FromConfiguration(configuration), configuration, TimeProvider.System));
    }

    private static Task<IReadOnlyList<JobRun>> RunsAsync(JobRunHistory history) => history.ListAsync(RetentionSettings.FunctionName, 1000, CancellationToken.None);

    private static async Task SeedOldRunsAsync(JobRunHistory history, int count)
    {
        await history.Table.CreateIfNotExistsAsync();
        var startedAt = DateTimeOffset.UtcNow.AddDays(-100);
        await Parallel.ForEachAsync(Enumerable.Range(0, count / 100), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (batch, ct) =>
        {
            var actions = Enumerable.Range(batch * 100, 100).Select(i => new TableTransactionAction(
                TableTransactionActionType.Add,
                new TableEntity("Old", $"{JobRunHistory.InvertedTicks(startedAt.AddSeconds(-i))}-{i:D8}") { ["Outcome"] = "Succeeded", ["StartedAt"] = startedAt }));
            await history.Table.SubmitTransactionAsync(actions, ct);
        });
    }

    private static int FromEnvironment(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : fallback;
}
