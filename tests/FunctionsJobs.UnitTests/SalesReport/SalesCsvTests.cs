using System.Buffers;
using System.Text;
using FunctionsJobs.Core.Orders;
using FunctionsJobs.Core.SalesReport;

namespace FunctionsJobs.UnitTests.SalesReport;

public sealed class SalesCsvTests
{
    [Fact]
    public void The_header_names_the_columns_in_their_fixed_order_and_ends_with_CRLF()
    {
        var output = new ArrayBufferWriter<byte>();

        SalesCsv.WriteHeader(output);

        Assert.Equal("order_id,created_at,status,currency,line,sku,quantity,unit_price_cents,line_total_cents\r\n", Encoding.UTF8.GetString(output.WrittenSpan));
    }

    [Fact]
    public void An_order_gets_one_row_per_line_with_invariant_numbers_and_a_UTC_timestamp()
    {
        var output = new ArrayBufferWriter<byte>();
        var order = SalesOrders.Of("20261122-0123456789abcdef0123", OrderStatus.Completed, new OrderLine("COFFEE-1KG", 2, 2490), new OrderLine("KETTLE", 1234, 4500));

        var rows = SalesCsv.WriteOrder(output, order, new StringBuilder());

        // No grouping separators or local date formats (the apps run with InvariantGlobalization; the code says so too).
        Assert.Equal(2, rows);
        Assert.Equal(
            "20261122-0123456789abcdef0123,2026-11-22T23:59:58.1234567Z,Completed,EUR,1,COFFEE-1KG,2,2490,4980\r\n" +
            "20261122-0123456789abcdef0123,2026-11-22T23:59:58.1234567Z,Completed,EUR,2,KETTLE,1234,4500,5553000\r\n",
            Encoding.UTF8.GetString(output.WrittenSpan));
    }

    [Fact]
    public void An_order_without_lines_still_gets_a_row()
    {
        var output = new ArrayBufferWriter<byte>();

        var rows = SalesCsv.WriteOrder(output, SalesOrders.Of("20261122-00000000000000000001", OrderStatus.Rejected), new StringBuilder());

        Assert.Equal(1, rows);
        Assert.Equal("20261122-00000000000000000001,2026-11-22T23:59:58.1234567Z,Rejected,EUR,,,,,\r\n", Encoding.UTF8.GetString(output.WrittenSpan));
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("", "")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("two\r\nlines", "\"two\r\nlines\"")]
    [InlineData("new\nline", "\"new\nline\"")]
    [InlineData("carriage\rreturn", "\"carriage\rreturn\"")]
    [InlineData(" spaces kept ", " spaces kept ")]
    [InlineData("Grüße", "Grüße")]
    public void Fields_are_quoted_as_RFC_4180_says(string value, string expected) => Assert.Equal(expected, SalesCsv.Field(value));

    [Fact]
    public void A_field_that_needs_quoting_is_quoted_in_the_row_and_written_as_UTF8()
    {
        var output = new ArrayBufferWriter<byte>();

        SalesCsv.WriteOrder(output, SalesOrders.Of("20261122-00000000000000000002", OrderStatus.Paid, new OrderLine("A,\"B\"", 1, 5)), new StringBuilder());

        Assert.Contains(",1,\"A,\"\"B\"\"\",1,5,5\r\n", Encoding.UTF8.GetString(output.WrittenSpan), StringComparison.Ordinal);
    }
}
