using System.Globalization;

namespace FunctionsJobs.Core.Orders;

/// <summary>
/// Where an order lives in the Orders table. PartitionKey = <c>{yyyyMMdd}-{shard}</c>, RowKey = the
/// order id, with shard = FNV-1a(id) mod <see cref="ShardCount"/> written as two hex digits. Reading
/// one order is a point read (the key follows from the id alone); reading one day means
/// <see cref="ShardCount"/> partitions, which sort together (<see cref="DayFilter"/>); and a day's
/// writes spread over that many partitions instead of one hot one.
/// </summary>
public static class OrderPartitions
{
    public const int ShardCount = 16;

    public static string PartitionKeyOf(string orderId)
    {
        ArgumentNullException.ThrowIfNull(orderId);
        return string.Create(CultureInfo.InvariantCulture, $"{orderId.AsSpan(0, 8)}-{Shard(orderId):x2}");
    }

    /// <summary>A hash that every runtime and every version computes alike (string.GetHashCode is randomized per process).</summary>
    public static int Shard(string orderId)
    {
        ArgumentNullException.ThrowIfNull(orderId);
        var hash = 2166136261u;
        foreach (var c in orderId)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash % ShardCount);
    }

    /// <summary>The partition keys holding the orders accepted on <paramref name="day"/> (UTC), in key order.</summary>
    public static IReadOnlyList<string> ForDay(DateOnly day)
    {
        var prefix = day.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        return [.. Enumerable.Range(0, ShardCount).Select(shard => string.Create(CultureInfo.InvariantCulture, $"{prefix}-{shard:x2}"))];
    }

    /// <summary>
    /// An OData filter for one day's partitions as one range ('-' sorts right before '.'), for a
    /// reader that prefers one query to <see cref="ShardCount"/> parallel ones.
    /// </summary>
    public static string DayFilter(DateOnly day)
    {
        var prefix = day.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        return $"PartitionKey ge '{prefix}-' and PartitionKey lt '{prefix}.'";
    }
}
