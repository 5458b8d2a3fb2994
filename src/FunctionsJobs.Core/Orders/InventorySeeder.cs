using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FunctionsJobs.Core.Orders;

/// <summary>
/// Puts the sample catalogue into the Inventory table at start-up when <c>OrdersSeedInventory</c>
/// is true (local.settings.sample.json turns it on), so the README's first order works on a fresh
/// emulator. Only missing SKUs are added: stock that orders have already changed is left alone.
/// A storage outage does not stop the app; the seed is just skipped with a warning.
/// </summary>
public sealed partial class InventorySeeder(InventoryStore inventory, ILogger<InventorySeeder> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            var added = 0;
            foreach (var item in OrderCatalog.Samples)
            {
                if (await inventory.TryAddItemAsync(item, cancellationToken).ConfigureAwait(false))
                {
                    added++;
                }
            }

            LogSeeded(added, OrderCatalog.Samples.Count - added);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogSeedFailed(ex);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Inventory seeded: {Added} sample SKUs added, {Existing} already there")]
    private partial void LogSeeded(int added, int existing);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Inventory not seeded: storage failed")]
    private partial void LogSeedFailed(Exception exception);
}
