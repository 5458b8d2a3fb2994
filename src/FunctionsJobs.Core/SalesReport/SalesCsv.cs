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

    /// <summary>
    /// Appends the rows of <paramref name="order"/>; returns how many. Numbers and the timestamp are
    /// formatted straight into <paramref name="scratch"/>: the report writes every order of a day,
    /// and fewer short-lived strings per row mean fewer collections.
    /// </summary>
    public static int WriteOrder(IBufferWriter<byte> output, Order order, StringBuilder scratch)
    {
        ArgumentNullException.ThrowIfNull(order);
        ArgumentNullException.ThrowIfNull(scratch);
        scratch.Clear();
        var createdAt = order.CreatedAt.UtcDateTime;
        if (order.Lines.Count == 0)
        {
            AppendOrderFields(scratch, order, createdAt);
            scratch.Append(",,,,,\r\n");
        }

        for (var i = 0; i < order.Lines.Count; i++)
        {
            var line = order.Lines[i];
            AppendOrderFields(scratch, order, createdAt);
            scratch.Append(CultureInfo.InvariantCulture, $",{i + 1},");
            AppendField(scratch, line.Sku);
            scratch.Append(CultureInfo.InvariantCulture, $",{line.Quantity},{line.UnitPriceCents},{line.TotalCents}\r\n");
        }

        Write(output, scratch);
        return Math.Max(1, order.Lines.Count);
    }

    /// <summary>One field as RFC 4180 writes it.</summary>
    public static string Field(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.IndexOfAny(NeedsQuoting) < 0 ? value : $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
    }

    private static void AppendOrderFields(StringBuilder row, Order order, DateTime createdAt)
    {
        AppendField(row, order.Id);
        row.Append(CultureInfo.InvariantCulture, $",{createdAt:yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'},");
        AppendField(row, order.Status.ToString());
        row.Append(',');
        AppendField(row, order.Currency);
    }

    private static void AppendField(StringBuilder row, string value)
    {
        if (value.AsSpan().IndexOfAny(NeedsQuoting) < 0)
        {
            row.Append(value);
        }
        else
        {
            row.Append(Field(value));
        }
    }

    /// <summary>Encodes the rows through a pooled buffer: whole, so a surrogate pair split between the builder's chunks stays one character.</summary>
    private static void Write(IBufferWriter<byte> output, StringBuilder text)
    {
        var chars = ArrayPool<char>.Shared.Rent(text.Length);
        try
        {
            text.CopyTo(0, chars, 0, text.Length);
            Write(output, chars.AsSpan(0, text.Length));
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    private static void Write(IBufferWriter<byte> output, ReadOnlySpan<char> text)
    {
        var span = output.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        output.Advance(Encoding.UTF8.GetBytes(text, span));
    }
}
