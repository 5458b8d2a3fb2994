using System.Globalization;
using Azure.Core;
using FunctionsJobs.Core.Settings;
using FunctionsJobs.Core.Storage;
using FunctionsJobs.Testing;
using Microsoft.Extensions.Configuration;

namespace FunctionsJobs.Benchmarks.Orders;

/// <summary>One Azurite, one maildev, one counting storage account, and the orders both sides place.</summary>
/// <remarks>
/// Azurite runs on disk: in memory its queue clean-up freezes the emulator for up to a minute once a
/// few thousand messages have passed (docs/benchmarks.md, Azurite), which a three-round run reaches.
/// </remarks>
internal sealed class BenchEnvironment(AzuriteServer azurite, MailDevServer mail, string azuriteFolder) : IAsyncDisposable
{
    /// <summary>Enough SKUs that two orders rarely fight over one stock row (a shop, not a flash sale).</summary>
    public static readonly string[] Skus = [.. Enumerable.Range(0, 50).Select(i => string.Create(CultureInfo.InvariantCulture, $"BENCH-{i:D2}"))];

    public AzuriteServer Azurite { get; } = azurite;

    public MailDevServer Mail { get; } = mail;

    public RequestCount Requests { get; } = new();

    public StorageAccount Account => field ??= StorageAccount.FromConfiguration(
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [SettingNames.Storage] = Azurite.ConnectionString }).Build(),
        configureClients: o => o.AddPolicy(Requests, HttpPipelinePosition.PerCall));

    public static async Task<BenchEnvironment> StartAsync()
    {
        var folder = Directory.CreateTempSubdirectory("fjbench-orders-azurite-").FullName;
        var azurite = AzuriteServer.StartAsync(folder);
        var mail = MailDevServer.StartAsync();
        return new BenchEnvironment(await azurite, await mail, folder);
    }

    /// <summary>Two lines per order, over 50 SKUs.</summary>
    public static object Body(int i) => new
    {
        customerEmail = string.Create(CultureInfo.InvariantCulture, $"customer{i % 1000}@example.com"),
        items = new[] { new { sku = Skus[i % Skus.Length], quantity = 1 }, new { sku = Skus[(i + 7) % Skus.Length], quantity = 2 } },
        paymentToken = "tok_visa",
    };

    /// <summary>
    /// With a rate, order <paramref name="i"/> is placed no earlier than i / rate seconds after
    /// <paramref name="start"/> (an open-loop load below saturation, to see latency that is not queue
    /// wait); without one, at once.
    /// </summary>
    public static async Task WaitForTurnAsync(int i, long start, double? rate, CancellationToken cancellationToken)
    {
        if (rate is { } perSecond)
        {
            var due = TimeSpan.FromSeconds(i / perSecond) - System.Diagnostics.Stopwatch.GetElapsedTime(start);
            if (due > TimeSpan.Zero)
            {
                await Task.Delay(due, cancellationToken);
            }
        }
    }

    /// <summary>Fresh tables and a fresh queue per phase, so no phase reads another's rows.</summary>
    public PhaseNames NewNames()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        return new PhaseNames($"bench-orders-{suffix}", $"Orders{suffix}", $"Inventory{suffix}", $"Payments{suffix}", $"Outbox{suffix}");
    }

    /// <summary>
    /// Drops a finished phase's tables and queue, and the recent-items index both sides write. On-disk
    /// Azurite's cost per request grows with what it holds (it saves its whole table database after
    /// writes, and an upsert scans its partition), so without this each phase paid for the rows of all
    /// the phases before it: Azurite's CPU per order went from 7.4 ms in the first phase to 17.2 ms in
    /// the sixth, and whichever side ran last in a round looked slower.
    /// </summary>
    public async Task DropAsync(PhaseNames names)
    {
        var tables = Account.Tables;
        await Task.WhenAll(new[] { names.Orders, names.Inventory, names.Payments, names.Outbox, RecentItems.DefaultTable }.Select(t => tables.DeleteTableAsync(t)));
        await Account.RawQueues.GetQueueClient(names.Queue).DeleteIfExistsAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await Mail.DisposeAsync();
        await Azurite.DisposeAsync();
        Directory.Delete(azuriteFolder, recursive: true);
    }
}

internal sealed record PhaseNames(string Queue, string Orders, string Inventory, string Payments, string Outbox);
