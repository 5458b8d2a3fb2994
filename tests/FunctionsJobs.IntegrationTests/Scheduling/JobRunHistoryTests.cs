using FunctionsJobs.Core.Scheduling;
using FunctionsJobs.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace FunctionsJobs.IntegrationTests.Scheduling;

public sealed class JobRunHistoryTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task Runs_list_newest_first_and_a_running_run_that_stopped_beating_reads_as_abandoned()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var services = CoreServices.Build(azurite.ConnectionString, new LogSink(), time);
        var history = services.GetRequiredService<JobRunHistory>();

        var first = await history.StartAsync("Nightly", JobTrigger.Schedule, false, time.GetUtcNow(), CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(10));
        var second = await history.StartAsync("Nightly", JobTrigger.Manual, false, null, CancellationToken.None);
        await history.ReportAsync(second, 5, 25, CancellationToken.None);
        var beforeSilence = await history.ListAsync("Nightly", 10, CancellationToken.None);
        time.Advance(TimeSpan.FromMinutes(2));
        await history.ReportAsync(second, 6, 30, CancellationToken.None);
        var afterSilence = await history.ListAsync("Nightly", 10, CancellationToken.None);

        Assert.Equal([second.RunId, first.RunId], beforeSilence.Select(r => r.RunId));
        Assert.All(beforeSilence, r => Assert.Equal(JobOutcome.Running, r.Outcome));
        Assert.Equal(JobOutcome.Running, afterSilence[0].Outcome);
        Assert.Equal(6, afterSilence[0].ItemsProcessed);
        Assert.Equal(JobOutcome.Abandoned, afterSilence[1].Outcome);
        Assert.Equal(first.RunId, (await history.GetAsync("Nightly", first.RunId, CancellationToken.None))?.RunId);
        Assert.Null(await history.GetAsync("Nightly", "no-such-run", CancellationToken.None));
    }
}
