using FunctionsJobs.Core.Settings;
using Microsoft.Extensions.Configuration;

namespace FunctionsJobs.Core.Orders;

/// <summary>The order supervisor: its function name, schedule and when an order counts as stuck.</summary>
public static class OrderSupervisorSettings
{
    public const string FunctionName = "OrderSupervisor";
    public const string ScheduleSetting = "OrderSupervisorSchedule";

    /// <summary>Every minute: a stuck order waits at most this long beyond <see cref="StuckAfterSetting"/>.</summary>
    public const string DefaultSchedule = "0 */1 * * * *";

    /// <summary>How long an order may stay unchanged in a non-terminal state before the supervisor acts.</summary>
    public const string StuckAfterSetting = "OrderSupervisorStuckAfter";
    public static readonly TimeSpan DefaultStuckAfter = TimeSpan.FromMinutes(5);

    /// <summary>How often the supervisor dispatches one order again before it compensates it instead.</summary>
    public const string MaxRedispatchesSetting = "OrderSupervisorMaxRedispatches";
    public const int DefaultMaxRedispatches = 3;

    /// <summary>How many days of order partitions a pass reads: today (UTC) and the days before it.</summary>
    public const string LookbackDaysSetting = "OrderSupervisorLookbackDays";
    public const int DefaultLookbackDays = 2;
}

/// <summary>The order supervisor's settings, read once and checked, so a bad value stops start-up with its name.</summary>
public sealed record OrderSupervisorOptions
{
    public TimeSpan StuckAfter { get; init; } = OrderSupervisorSettings.DefaultStuckAfter;

    public int MaxRedispatches { get; init; } = OrderSupervisorSettings.DefaultMaxRedispatches;

    public int LookbackDays { get; init; } = OrderSupervisorSettings.DefaultLookbackDays;

    public static OrderSupervisorOptions FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);

        // Shorter than a minute would take a slow but healthy delivery (a claimed e-mail, a gateway timeout) for a stuck one.
        return new OrderSupervisorOptions
        {
            StuckAfter = configuration.GetTimeSpan(OrderSupervisorSettings.StuckAfterSetting, OrderSupervisorSettings.DefaultStuckAfter, TimeSpan.FromMinutes(1)),
            MaxRedispatches = configuration.GetInt(OrderSupervisorSettings.MaxRedispatchesSetting, OrderSupervisorSettings.DefaultMaxRedispatches, 0, 100),
            LookbackDays = configuration.GetInt(OrderSupervisorSettings.LookbackDaysSetting, OrderSupervisorSettings.DefaultLookbackDays, 1, 366),
        };
    }
}
