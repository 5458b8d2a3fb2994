using FunctionsJobs.Core.Settings;
using Microsoft.Extensions.Configuration;

namespace FunctionsJobs.Core.SalesReport;

/// <summary>The nightly sales report: its function name, schedule, container and block size, with their defaults.</summary>
public static class SalesReportSettings
{
    public const string FunctionName = "NightlySalesReport";
    public const string ScheduleSetting = "SalesReportSchedule";

    /// <summary>02:00 every day, in the schedule time zone: the report covers the last UTC day that ended before it.</summary>
    public const string DefaultSchedule = "0 0 2 * * *";

    /// <summary>The container of the reports; the sales report writes under <c>sales/</c>.</summary>
    public const string ContainerSetting = "ReportsContainerName";
    public const string DefaultContainer = "reports";

    /// <summary>
    /// How many bytes of CSV make one staged block, and so how often the run writes a checkpoint.
    /// The memory the report holds is about twice this, whatever the number of orders.
    /// </summary>
    public const string BlockBytesSetting = "SalesReportBlockBytes";
    public const int DefaultBlockBytes = 1024 * 1024;
    public const int MinBlockBytes = 1024;
    public const int MaxBlockBytes = 64 * 1024 * 1024;

    public static SalesReportOptions FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var container = configuration.GetSetting(ContainerSetting, DefaultContainer);
        var blockBytes = configuration.GetInt(BlockBytesSetting, DefaultBlockBytes, MinBlockBytes, MaxBlockBytes, unit: "bytes");
        return new SalesReportOptions(container, blockBytes);
    }
}

/// <param name="Container">Where the reports go (<c>ReportsContainerName</c>).</param>
/// <param name="BlockBytes">CSV bytes per staged block and checkpoint (<c>SalesReportBlockBytes</c>).</param>
public sealed record SalesReportOptions(string Container, int BlockBytes);
