using System.Globalization;
using FunctionsJobs.Core.Scheduling;
using FunctionsJobs.Core.Settings;

namespace FunctionsJobs.UnitTests.Scheduling;

public sealed class JobScheduleTests
{
    private static readonly TimeZoneInfo Pacific = ScheduleTimeZone.Find("America/Los_Angeles")!;
    private static readonly TimeZoneInfo Berlin = ScheduleTimeZone.Find("Europe/Berlin")!;

    [Theory]
    [InlineData("0 */5 * * * *", "2024-05-01T10:02:30Z", "2024-05-01T10:05:00Z")]
    [InlineData("*/15 * * * * *", "2024-05-01T10:02:30Z", "2024-05-01T10:02:45Z")]
    [InlineData("0 0 2 * * *", "2024-05-01T02:00:00Z", "2024-05-02T02:00:00Z")]
    [InlineData("0 30 9 * * 1-5", "2024-05-03T10:00:00Z", "2024-05-06T09:30:00Z")] // Friday after 09:30: Monday
    [InlineData("5 0 0 1 1 *", "2024-05-03T10:00:00Z", "2025-01-01T00:00:05Z")]
    public void A_six_field_expression_gives_the_next_occurrence_strictly_after(string expression, string after, string expected)
    {
        Assert.Equal(At(expected), Parse(expression, TimeZoneInfo.Utc).GetNextOccurrence(At(after)));
    }

    [Theory]
    [InlineData("00:00:05", "2024-05-01T10:00:00.250Z", "2024-05-01T10:00:05.250Z")]
    [InlineData("01:00:00", "2024-05-01T10:00:00Z", "2024-05-01T11:00:00Z")]
    [InlineData("1.00:00:00", "2024-05-01T10:00:00Z", "2024-05-02T10:00:00Z")]
    public void An_interval_counts_from_the_given_time(string expression, string after, string expected)
    {
        Assert.Equal(At(expected), Parse(expression, Berlin).GetNextOccurrence(At(after)));
    }

    [Theory]
    [InlineData("*/5 * * * *")] // 5 fields: ambiguous, Functions documents 6
    [InlineData("60 * * * * *")]
    [InlineData("0 0 25 * * *")]
    [InlineData("every minute")]
    [InlineData("00:00:00")]
    [InlineData("-00:00:05")]
    [InlineData("5")] // a bare number parses as days: refused, say hh:mm:ss
    [InlineData("")]
    public void Malformed_schedules_are_refused(string expression)
    {
        Assert.False(JobSchedule.TryParse(expression, TimeZoneInfo.Utc, out _));
    }

    [Fact]
    public void A_cron_schedule_runs_at_wall_clock_time_of_its_zone_in_winter_and_summer()
    {
        var schedule = Parse("0 0 2 * * *", Berlin);

        Assert.Equal(At("2024-01-10T01:00:00Z"), schedule.GetNextOccurrence(At("2024-01-10T00:00:00Z")));
        Assert.Equal(At("2024-07-10T00:00:00Z"), schedule.GetNextOccurrence(At("2024-07-09T23:00:00Z")));
        Assert.Equal(TimeSpan.FromHours(2), schedule.GetNextOccurrence(At("2024-07-09T23:00:00Z")).Offset);
    }

    [Fact]
    public void A_windows_time_zone_id_means_the_same_zone_as_its_iana_id()
    {
        var windows = ScheduleTimeZone.Find("W. Europe Standard Time");

        Assert.NotNull(windows);
        Assert.Equal(
            Parse("0 0 2 * * *", Berlin).GetNextOccurrence(At("2024-03-31T00:00:00Z")),
            Parse("0 0 2 * * *", windows).GetNextOccurrence(At("2024-03-31T00:00:00Z")));
    }

    [Fact]
    public void Spring_forward_an_occurrence_in_the_skipped_hour_runs_once_an_hour_later()
    {
        // 2018-03-11 in Los Angeles: 02:00 PST jumps to 03:00 PDT.
        var schedule = Parse("0 30 2 * * *", Pacific);

        var skipped = schedule.GetNextOccurrence(At("2018-03-11T01:00:00-08:00"));
        var following = schedule.GetNextOccurrence(skipped);

        Assert.Equal(At("2018-03-11T03:30:00-07:00"), skipped);
        Assert.Equal(At("2018-03-12T02:30:00-07:00"), following);
    }

    [Fact]
    public void Fall_back_a_point_in_time_schedule_runs_once_in_the_repeated_hour_in_its_daylight_pass()
    {
        // 2018-11-04 in Los Angeles: 02:00 PDT falls back to 01:00 PST, so 01:30 happens twice.
        var schedule = Parse("0 30 1 * * *", Pacific);

        var first = schedule.GetNextOccurrence(At("2018-11-04T00:00:00-07:00"));
        var next = schedule.GetNextOccurrence(first);
        var startedInSecondPass = schedule.GetNextOccurrence(At("2018-11-04T01:10:00-08:00"));

        Assert.Equal(At("2018-11-04T01:30:00-07:00"), first);
        Assert.Equal(At("2018-11-05T01:30:00-08:00"), next);
        Assert.Equal(At("2018-11-05T01:30:00-08:00"), startedInSecondPass);
    }

    [Fact]
    public void Fall_back_an_interval_schedule_runs_through_both_passes_of_the_repeated_hour()
    {
        var schedule = Parse("0 */30 * * * *", Pacific);
        var occurrences = new List<DateTimeOffset>();
        var at = At("2018-11-04T00:45:00-07:00");
        for (var i = 0; i < 6; i++)
        {
            at = schedule.GetNextOccurrence(at);
            occurrences.Add(at);
        }

        Assert.Equal(
            new[] { "01:00:00-07:00", "01:30:00-07:00", "01:00:00-08:00", "01:30:00-08:00", "02:00:00-08:00", "02:30:00-08:00" },
            occurrences.Select(o => o.ToString("HH:mm:sszzz", CultureInfo.InvariantCulture)));
        Assert.All(occurrences.Zip(occurrences.Skip(1)), pair => Assert.Equal(TimeSpan.FromMinutes(30), pair.Second - pair.First));
    }

    [Fact]
    public void An_interval_schedule_ignores_daylight_saving()
    {
        var schedule = Parse("01:00:00", Pacific);

        Assert.Equal(At("2018-03-11T10:30:00Z"), schedule.GetNextOccurrence(At("2018-03-11T09:30:00Z")));
    }

    [Fact]
    public void A_malformed_schedule_setting_names_the_setting_and_the_function()
    {
        var configuration = TestConfig.From(("NightlySchedule", "0 0 25 * * *"));

        var error = Assert.Throws<InvalidSettingException>(() => JobSchedule.FromSetting(configuration, new NamedJob(), TimeZoneInfo.Utc));

        Assert.Equal("NightlySchedule", error.Setting);
        Assert.Contains("function Nightly", error.Message, StringComparison.Ordinal);
        Assert.Contains("'0 0 25 * * *'", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Without_the_setting_the_default_schedule_applies()
    {
        var schedule = JobSchedule.FromSetting(TestConfig.From(), new NamedJob(), TimeZoneInfo.Utc);

        Assert.Equal("0 0 2 * * *", schedule.Expression);
    }

    private static JobSchedule Parse(string expression, TimeZoneInfo zone) =>
        JobSchedule.TryParse(expression, zone, out var schedule) ? schedule : throw new InvalidOperationException($"'{expression}' did not parse");

    private static DateTimeOffset At(string value) => DateTimeOffset.Parse(value, CultureInfo.InvariantCulture);

    private sealed class NamedJob : IScheduledJob
    {
        public string Name => "Nightly";

        public string ScheduleSetting => "NightlySchedule";

        public string DefaultSchedule => "0 0 2 * * *";

        public Task RunAsync(JobRunContext context, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
