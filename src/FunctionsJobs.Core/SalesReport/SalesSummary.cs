using System.Buffers;
using System.Text.Json;
using FunctionsJobs.Core.Orders;

namespace FunctionsJobs.Core.SalesReport;

/// <summary>Per SKU: units ordered by every order of the day, units sold and their revenue (Completed orders).</summary>
public sealed class SkuTotals
{
    public long Ordered { get; set; }

    public long Sold { get; set; }

    public long RevenueCents { get; set; }
}

/// <summary>
/// What the report's JSON says, aggregated as the orders stream past. It is small (one entry per
/// status and per SKU, never per order) and travels in every checkpoint, so a resumed run goes on
/// counting where the killed one stopped. Revenue is what Completed orders were charged: other
/// orders were not charged yet, or were refunded or never charged.
/// </summary>
public sealed class SalesSummary
{
    public long Orders { get; set; }

    public long Lines { get; set; }

    /// <summary>Orders per status name.</summary>
    public Dictionary<string, long> Statuses { get; set; } = new(StringComparer.Ordinal);

    public Dictionary<string, SkuTotals> Skus { get; set; } = new(StringComparer.Ordinal);

    public void Add(Order order)
    {
        ArgumentNullException.ThrowIfNull(order);
        Orders++;
        Lines += order.Lines.Count;
        var status = order.Status.ToString();
        Statuses[status] = Statuses.GetValueOrDefault(status) + 1;
        var sold = order.Status == OrderStatus.Completed;
        foreach (var line in order.Lines)
        {
            if (!Skus.TryGetValue(line.Sku, out var totals))
            {
                Skus[line.Sku] = totals = new SkuTotals();
            }

            totals.Ordered += line.Quantity;
            if (sold)
            {
                totals.Sold += line.Quantity;
                totals.RevenueCents += line.TotalCents;
            }
        }
    }

    public SalesSummary Clone() => new()
    {
        Orders = Orders,
        Lines = Lines,
        Statuses = new(Statuses, StringComparer.Ordinal),
        Skus = Skus.ToDictionary(s => s.Key, s => new SkuTotals { Ordered = s.Value.Ordered, Sold = s.Value.Sold, RevenueCents = s.Value.RevenueCents }, StringComparer.Ordinal),
    };

    /// <summary>
    /// The report's JSON. Written by hand rather than serialized, so its bytes depend on the counts
    /// alone: properties in a fixed order, every status in declaration order (zeros included), SKUs in
    /// ordinal order, two-space indentation and '\n' line ends on every OS, and a final newline.
    /// </summary>
    public byte[] ToJson(DateOnly day)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, NewLine = "\n" }))
        {
            json.WriteStartObject();
            json.WriteString("day", SalesReportDay.Name(day));
            json.WriteString("currency", OrderCatalog.Currency);
            json.WriteNumber("orders", Orders);
            json.WriteNumber("lines", Lines);
            json.WriteStartObject("statuses");
            foreach (var status in Enum.GetNames<OrderStatus>())
            {
                json.WriteNumber(status, Statuses.GetValueOrDefault(status));
            }

            json.WriteEndObject();
            json.WriteStartObject("skus");
            foreach (var (sku, totals) in Skus.OrderBy(s => s.Key, StringComparer.Ordinal))
            {
                json.WriteStartObject(sku);
                WriteTotals(json, totals.Ordered, totals.Sold, totals.RevenueCents);
                json.WriteEndObject();
            }

            json.WriteEndObject();
            json.WriteStartObject("totals");
            WriteTotals(json, Skus.Values.Sum(s => s.Ordered), Skus.Values.Sum(s => s.Sold), Skus.Values.Sum(s => s.RevenueCents));
            json.WriteEndObject();
            json.WriteEndObject();
        }

        buffer.Write("\n"u8);
        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteTotals(Utf8JsonWriter json, long ordered, long sold, long revenueCents)
    {
        json.WriteNumber("ordered", ordered);
        json.WriteNumber("sold", sold);
        json.WriteNumber("revenueCents", revenueCents);
    }
}
