using System.Buffers;
using System.Globalization;
using System.Text;
using FunctionsJobs.Core.Orders;

namespace FunctionsJobs.Core.SalesReport;

/// <summary>
/// The report's CSV (RFC 4180): a header, then one row per order line, fields in a fixed order,
/// invariant culture, CRLF line ends, UTF-8 without BOM. A field with a comma, quote, CR or LF is
/// quoted with its quotes doubled. Amounts are whole cents, so no decimal separator or rounding is
/// involved. An order without lines (intake never stores one) still gets a row, with empty line fields.
/// </summary>
public static class SalesCsv
{
    public static readonly string[] Columns =
        ["order_id", "created_at", "status", "currency", "line", "sku", "quantity", "unit_price_cents", "line_total_cents"];

    private static readonly char[] NeedsQuoting = [',', '"', '\r', '\n'];

    public static void WriteHeader(IBufferWriter<byte> output) => Write(output, string.Join(',', Columns) + "\r\n");

    /// <summary>Appends the rows of <paramref name="order"/>; returns how many.</summary>
    public static int WriteOrder(IBufferWriter<byte> output, Order order, StringBuilder scratch)
    {
        ArgumentNullException.ThrowIfNull(order);
        ArgumentNullException.ThrowIfNull(scratch);
        scratch.Clear();
        var createdAt = order.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
        var status = order.Status.ToString();
        if (order.Lines.Count == 0)
        {
            AppendRow(scratch, order.Id, createdAt, status, order.Currency, string.Empty, string.Empty, string.Empty, string.Empty, string.Empty);
        }

        for (var i = 0; i < order.Lines.Count; i++)
        {
            var line = order.Lines[i];
            AppendRow(
                scratch,
                order.Id,
                createdAt,
                status,
                order.Currency,
                (i + 1).ToString(CultureInfo.InvariantCulture),
                line.Sku,
                line.Quantity.ToString(CultureInfo.InvariantCulture),
                line.UnitPriceCents.ToString(CultureInfo.InvariantCulture),
                line.TotalCents.ToString(CultureInfo.InvariantCulture));
        }

        Write(output, scratch.ToString());
        return Math.Max(1, order.Lines.Count);
    }

    /// <summary>One field as RFC 4180 writes it.</summary>
    public static string Field(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.IndexOfAny(NeedsQuoting) < 0 ? value : $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
    }

    private static void AppendRow(StringBuilder row, params ReadOnlySpan<string> fields)
    {
        for (var i = 0; i < fields.Length; i++)
        {
            if (i > 0)
            {
                row.Append(',');
            }

            row.Append(Field(fields[i]));
        }

        row.Append("\r\n");
    }

    private static void Write(IBufferWriter<byte> output, ReadOnlySpan<char> text)
    {
        var span = output.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        output.Advance(Encoding.UTF8.GetBytes(text, span));
    }
}
