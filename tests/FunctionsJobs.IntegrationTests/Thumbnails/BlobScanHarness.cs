using Azure.Data.Tables;
using FunctionsJobs.Core.Thumbnails;
using FunctionsJobs.Testing;

namespace FunctionsJobs.IntegrationTests.Thumbnails;

/// <summary>What the scan tests share: the Host with its blob trigger on, and what its logs say the scan did.</summary>
internal static class BlobScanHarness
{
    /// <summary>The scan on, polling fast, so a test waits a fraction of a second per pass.</summary>
    public static Dictionary<string, string> ScanOn(IReadOnlyDictionary<string, string>? more = null)
    {
        var settings = new Dictionary<string, string>
        {
            [$"AzureWebJobs.{ThumbnailBlobScanSettings.HostFunctionName}.Disabled"] = "false",
            [ThumbnailSettings.ScanIntervalSetting] = "00:00:00.200",
            [ThumbnailSettings.ScanMaxIntervalSetting] = "00:00:01",
        };
        foreach (var (key, value) in more ?? new Dictionary<string, string>())
        {
            settings[key] = value;
        }

        return settings;
    }

    /// <summary>A second Host (or the first one again) on the harness's containers, table, queue and receipts.</summary>
    public static Task<ThumbnailHarness> StartAnotherAsync(string connectionString, ThumbnailHarness like) =>
        ThumbnailHarness.StartAsync(connectionString, like.AllSettings);

    /// <summary>BlobCreated events the Host's scan queued, from its log lines.</summary>
    public static int Announced(TestHost host) => Sum(host, "Announced");

    /// <summary>BlobDeleted events the Host's scan queued.</summary>
    public static int DeletionsAnnounced(TestHost host) => Sum(host, "Deleted");

    public static int DoneLines(TestHost host) => host.Logs.Entries.Count(
        e => e.Category == typeof(ThumbnailHandler).FullName && e.Message.Contains(") done:", StringComparison.Ordinal));

    public static TableClient Receipts(string connectionString, ThumbnailHarness harness) =>
        new(connectionString, harness.AllSettings[ThumbnailSettings.ScanReceiptsTableSetting]);

    /// <summary>Writes a blob and waits until the Host made its thumbnails: by then the scan has passed over every older blob too.</summary>
    public static async Task<string> PutAndWaitDoneAsync(ThumbnailHarness harness, string id, byte[]? bytes = null)
    {
        await harness.PutBlobAsync($"{id}.jpg", bytes ?? TestImages.Jpeg(64, 48));
        await harness.WaitForOutcomeAsync(id, ") done:");
        return id;
    }

    private static int Sum(TestHost host, string field) => host.Logs.Entries
        .Where(e => e.Category == typeof(ThumbnailBlobScanner).FullName && e.Fields.ContainsKey(field))
        .Sum(e => Convert.ToInt32(e.Fields[field], System.Globalization.CultureInfo.InvariantCulture));
}
