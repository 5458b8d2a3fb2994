using System.Collections.Concurrent;

namespace FunctionsJobs.Core.Orders;

/// <summary>
/// The SKUs and prices the HTTP starter checks an order against. A known SKU is remembered for
/// <see cref="Freshness"/>, so a busy starter reads each SKU about once per interval instead of once
/// per order; an unknown one is asked again every time, so a SKU added to the table is orderable at
/// once. The price an order is accepted with is the one it is charged.
/// </summary>
public sealed class SkuCatalog(InventoryStore inventory, TimeProvider time)
{
    public static readonly TimeSpan Freshness = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, (CatalogItem Item, DateTimeOffset ReadAt)> _known = new(StringComparer.Ordinal);

    /// <summary>The items of the given SKUs that exist; unknown SKUs are missing from the result.</summary>
    public async Task<IReadOnlyDictionary<string, CatalogItem>> FindAsync(IEnumerable<string> skus, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var found = new ConcurrentDictionary<string, CatalogItem>(StringComparer.Ordinal);
        var missing = new List<string>();
        foreach (var sku in skus.Distinct(StringComparer.Ordinal))
        {
            if (_known.TryGetValue(sku, out var cached) && now - cached.ReadAt < Freshness)
            {
                found[sku] = cached.Item;
            }
            else
            {
                missing.Add(sku);
            }
        }

        await Parallel.ForEachAsync(missing, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (sku, ct) =>
        {
            var item = await inventory.GetItemAsync(sku, ct).ConfigureAwait(false);
            if (item is not null)
            {
                found[sku] = item;
                _known[sku] = (item, time.GetUtcNow());
            }
        }).ConfigureAwait(false);
        return found;
    }
}
