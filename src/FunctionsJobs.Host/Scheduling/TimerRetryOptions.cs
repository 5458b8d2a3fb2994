using FunctionsJobs.Core.Settings;
using FunctionsJobs.Host.Configuration;

namespace FunctionsJobs.Host.Scheduling;

public enum RetryStrategy
{
    None,
    FixedDelay,
    ExponentialBackoff,
}

/// <summary>
/// The <c>retry</c> section of <c>host.json</c>, which the Functions runtime applies to timer
/// functions (storage queues and Service Bus retry through redelivery instead). The Host applies it
/// the same way: a failed timer run is run again, under the same lock, after the delay.
/// </summary>
public sealed record TimerRetryOptions(RetryStrategy Strategy, int MaxRetryCount, TimeSpan DelayInterval, TimeSpan MinimumInterval, TimeSpan MaximumInterval)
{
    public const string Section = HostJsonFile.Prefix + ":retry";

    public static TimerRetryOptions None { get; } = new(RetryStrategy.None, 0, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero);

    /// <summary>The wait before retry number <paramref name="retry"/> (1 for the first).</summary>
    public TimeSpan DelayBefore(int retry) => Strategy switch
    {
        RetryStrategy.FixedDelay => DelayInterval,

        // Doubling from the minimum up to the maximum, as the runtime's exponential strategy does
        // (without its jitter: one timer function has no herd of retries to spread).
        RetryStrategy.ExponentialBackoff => TimeSpan.FromTicks((long)Math.Min(MaximumInterval.Ticks, MinimumInterval.Ticks * Math.Pow(2, retry - 1))),
        _ => TimeSpan.Zero,
    };

    public static TimerRetryOptions FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(Section);
        var strategy = section["strategy"];
        if (strategy is null)
        {
            return None;
        }

        var maxRetryCount = ReadMaxRetryCount(section);
        return strategy.ToUpperInvariant() switch
        {
            "FIXEDDELAY" => new TimerRetryOptions(RetryStrategy.FixedDelay, maxRetryCount, ReadInterval(section, "delayInterval"), TimeSpan.Zero, TimeSpan.Zero),
            "EXPONENTIALBACKOFF" => Exponential(section, maxRetryCount),
            _ => throw new InvalidSettingException($"{Section}:strategy", $"must be fixedDelay or exponentialBackoff, not '{strategy}'"),
        };
    }

    private static TimerRetryOptions Exponential(IConfigurationSection section, int maxRetryCount)
    {
        var minimum = ReadInterval(section, "minimumInterval");
        var maximum = ReadInterval(section, "maximumInterval");
        return maximum >= minimum
            ? new TimerRetryOptions(RetryStrategy.ExponentialBackoff, maxRetryCount, TimeSpan.Zero, minimum, maximum)
            : throw new InvalidSettingException($"{Section}:maximumInterval", $"must not be shorter than minimumInterval ({minimum})");
    }

    private static int ReadMaxRetryCount(IConfigurationSection section) =>
        // -1 (retry for ever) is allowed by Functions; for a timer it would only delay the next
        // occurrence for ever, so the Host refuses it rather than honouring it differently.
        SettingValue.Whole<int>(section["maxRetryCount"], $"{Section}:maxRetryCount", fallback: null, 0, 100);

    private static TimeSpan ReadInterval(IConfigurationSection section, string name) =>
        SettingValue.Duration(section[name], $"{Section}:{name}", fallback: null, TimeSpan.Zero);
}
