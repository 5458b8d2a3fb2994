namespace FunctionsJobs.Core.Orders;

/// <summary>A stock-keeping unit as the Inventory table holds it.</summary>
public sealed record CatalogItem(string Sku, string Name, long UnitPriceCents, int Available);

/// <summary>The SKU format, the currency and the sample catalog a fresh local app is seeded with.</summary>
public static class OrderCatalog
{
    public const string Currency = "EUR";
    public const int MaxSkuLength = 64;

    /// <summary>Uppercase letters, digits and single hyphens: safe as a PartitionKey and unambiguous to type.</summary>
    public static bool IsValidSku(string? sku) =>
        sku is { Length: > 0 and <= MaxSkuLength }
        && char.IsAsciiLetterOrDigit(sku[0]) && char.IsAsciiLetterOrDigit(sku[^1])
        && !sku.Contains("--", StringComparison.Ordinal)
        && sku.All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c) || c == '-');

    /// <summary>What <c>OrdersSeedInventory</c> puts in an empty Inventory table (README's curl uses COFFEE-1KG).</summary>
    public static IReadOnlyList<CatalogItem> Samples { get; } =
    [
        new("COFFEE-1KG", "Coffee beans, 1 kg", 2490, 1000),
        new("ESPRESSO-CUP", "Espresso cup", 750, 500),
        new("FRENCH-PRESS", "French press, 1 l", 3400, 200),
        new("GRINDER", "Burr grinder", 8900, 50),
        new("KETTLE", "Gooseneck kettle", 4500, 100),
        new("TEA-SAMPLER", "Tea sampler", 1500, 300),
        new("LIMITED-MUG", "Limited edition mug", 1900, 3),
        new("SOLD-OUT", "A sold-out item, to see a rejection", 999, 0),
    ];
}
