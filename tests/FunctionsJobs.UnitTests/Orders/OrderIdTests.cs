using FunctionsJobs.Core.Orders;

namespace FunctionsJobs.UnitTests.Orders;

public sealed class OrderIdTests
{
    [Fact]
    public void A_new_id_is_the_utc_day_then_twenty_random_hex_digits()
    {
        var at = new DateTimeOffset(2026, 3, 1, 0, 30, 0, TimeSpan.FromHours(2));

        var id = OrderId.New(at);
        var other = OrderId.New(at);

        Assert.Matches("^20260228-[0-9a-f]{20}$", id);
        Assert.NotEqual(id, other);
        Assert.True(OrderId.IsValid(id));
        Assert.Equal(new DateOnly(2026, 2, 28), OrderId.DayOf(id));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("20260101-0123456789abcdef012")]
    [InlineData("20260101-0123456789abcdef01234")]
    [InlineData("20260101_0123456789abcdef0123")]
    [InlineData("20260101-0123456789ABCDEF0123")]
    [InlineData("20260101-0123456789abcdefg123")]
    [InlineData("20261301-0123456789abcdef0123")]
    [InlineData("2026010a-0123456789abcdef0123")]
    public void Malformed_ids_are_not_valid(string? id) => Assert.False(OrderId.IsValid(id));

    [Fact]
    public void The_partition_follows_from_the_id_alone_and_spreads_a_day_over_sixteen_partitions()
    {
        var day = new DateOnly(2026, 5, 17);
        var at = new DateTimeOffset(day, new TimeOnly(12, 0), TimeSpan.Zero);
        var ids = Enumerable.Range(0, 4000).Select(_ => OrderId.New(at)).ToList();

        var partitions = ids.Select(OrderPartitions.PartitionKeyOf).ToList();

        Assert.Equal(OrderPartitions.ForDay(day), partitions.Distinct().Order(StringComparer.Ordinal));
        Assert.All(ids, id => Assert.Equal(OrderPartitions.PartitionKeyOf(id), OrderPartitions.PartitionKeyOf(new string(id.ToCharArray()))));
        Assert.All(partitions.GroupBy(p => p), g => Assert.InRange(g.Count(), 4000 / 16 / 2, 4000 / 16 * 2));
    }

    [Fact]
    public void The_shard_hash_is_stable_across_processes_and_versions()
    {
        // FNV-1a (32-bit) of the id, mod 16, computed independently: pinned, because stored orders are found by it.
        Assert.Equal("20260101-02", OrderPartitions.PartitionKeyOf("20260101-00000000000000000000"));
        Assert.Equal("20261231-0b", OrderPartitions.PartitionKeyOf("20261231-0123456789abcdef0123"));
    }

    [Fact]
    public void A_day_is_sixteen_partition_keys_and_one_range_that_holds_exactly_them()
    {
        var day = new DateOnly(2026, 1, 9);

        var keys = OrderPartitions.ForDay(day);

        Assert.Equal(16, keys.Count);
        Assert.Equal("20260109-00", keys[0]);
        Assert.Equal("20260109-0f", keys[^1]);
        Assert.Equal("PartitionKey ge '20260109-' and PartitionKey lt '20260109.'", OrderPartitions.DayFilter(day));
        Assert.All(keys, k => Assert.True(string.CompareOrdinal(k, "20260109-") >= 0 && string.CompareOrdinal(k, "20260109.") < 0));
        Assert.True(string.CompareOrdinal("20260110-00", "20260109.") > 0);
        Assert.True(string.CompareOrdinal("20260108-0f", "20260109-") < 0);
    }
}
