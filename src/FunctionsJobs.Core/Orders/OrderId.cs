using System.Globalization;
using System.Security.Cryptography;

namespace FunctionsJobs.Core.Orders;

/// <summary>
/// Order ids are <c>{yyyyMMdd}-{20 hex digits}</c>: the UTC day the order was accepted, then 80
/// random bits. The day makes a day's orders findable by partition (<see cref="OrderPartitions"/>);
/// the random part makes ids unguessable and spreads them over the shards.
/// </summary>
public static class OrderId
{
    public const int Length = 8 + 1 + RandomHexDigits;
    private const int RandomHexDigits = 20;

    public static string New(DateTimeOffset acceptedAt) =>
        $"{acceptedAt.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture)}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(RandomHexDigits / 2))}";

    public static bool IsValid(string? id)
    {
        if (id is null || id.Length != Length || id[8] != '-')
        {
            return false;
        }

        for (var i = 9; i < Length; i++)
        {
            if (!char.IsAsciiHexDigitLower(id[i]) && !char.IsAsciiDigit(id[i]))
            {
                return false;
            }
        }

        return DateOnly.TryParseExact(id.AsSpan(0, 8), "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _);
    }

    /// <summary>The UTC day of a valid id.</summary>
    public static DateOnly DayOf(string id) => DateOnly.ParseExact(id.AsSpan(0, 8), "yyyyMMdd", CultureInfo.InvariantCulture);
}
