using FunctionsJobs.Core.Scheduling;
using FunctionsJobs.Functions.Orders;
using FunctionsJobs.Functions.Retention;
using FunctionsJobs.Functions.SalesReport;
using FunctionsJobs.Functions.Thumbnails;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;

namespace FunctionsJobs.Functions.Tests.Scheduling;

/// <summary>
/// Each timer function in-process, given the <see cref="TimerInfo"/> the host passes with
/// <c>UseMonitor</c>: the run lands in the history both runtimes share, as a scheduled run of the occurrence the monitor named.
/// </summary>
public sealed class TimerFunctionsTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    public static TheoryData<Type, string, bool> Timers => new()
    {
        { typeof(RetentionCleanup), "RetentionCleanup", false },
        { typeof(NightlySalesReport), "NightlySalesReport", true },
        { typeof(OrderSupervisor), "OrderSupervisor", false },
        { typeof(ThumbnailReconciliation), "ThumbnailReconciliation", true },
    };

    [Theory]
    [MemberData(nameof(Timers))]
    public async Task A_timer_invocation_is_recorded_as_a_scheduled_run_of_the_monitored_occurrence(Type functionType, string name, bool pastDue)
    {
        await using var app = await FunctionsApp.StartAsync(fixture);
        var occurrence = new DateTime(2026, 11, 29, 2, 0, 0, DateTimeKind.Local);
        var timer = new TimerInfo { IsPastDue = pastDue, ScheduleStatus = new ScheduleStatus { Last = occurrence.AddDays(-1), Next = occurrence, LastUpdated = occurrence } };
        var function = app.Function(functionType);

        await (Task)functionType.GetMethod("RunAsync")!.Invoke(function, [timer, CancellationToken.None])!;

        var run = Assert.Single(await app.Services.GetRequiredService<JobRunHistory>().ListAsync(name, 10, CancellationToken.None));
        Assert.Equal((JobTrigger.Schedule, JobOutcome.Succeeded, pastDue), (run.Trigger, run.Outcome, run.IsPastDue));
        Assert.Equal(new DateTimeOffset(occurrence), run.ScheduledFor);
    }
}
