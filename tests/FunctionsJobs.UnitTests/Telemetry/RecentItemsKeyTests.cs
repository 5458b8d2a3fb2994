using FunctionsJobs.Core.Scheduling;
using FunctionsJobs.Core.Storage;

namespace FunctionsJobs.UnitTests.Telemetry;

/// <summary>The recent-items keys sort newest first, across days and within one, so "latest N" is one range query.</summary>
public sealed class RecentItemsKeyTests
{
    [Fact]
    public void Newer_days_and_newer_rows_sort_first()
    {
        var times = new[]
        {
            new DateTimeOffset(2026, 11, 29, 23, 59, 59, TimeSpan.Zero),
            new DateTimeOffset(2026, 11, 30, 0, 0, 0, TimeSpan.Zero),
            new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero),
            new DateTimeOffset(2026, 12, 31, 0, 0, 0, TimeSpan.Zero),
            new DateTimeOffset(2027, 1, 1, 8, 0, 0, TimeSpan.FromHours(9)),
        };

        var keys = times.Select(t => (Partition: RecentItems.PartitionOf(RecentItems.Orders, t), Row: JobRunHistory.InvertedTicks(t), At: t)).ToList();
        var sorted = keys.OrderBy(k => k.Partition, StringComparer.Ordinal).ThenBy(k => k.Row, StringComparer.Ordinal).Select(k => k.At);

        Assert.Equal(times.OrderByDescending(t => t.UtcDateTime), sorted);
        Assert.All(keys, k => Assert.StartsWith("orders-", k.Partition, StringComparison.Ordinal));
        Assert.Equal("orders-79738869", RecentItems.PartitionOf(RecentItems.Orders, times[2]));
    }
}
