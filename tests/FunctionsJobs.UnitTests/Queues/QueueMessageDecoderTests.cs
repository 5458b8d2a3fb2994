using Azure.Storage.Queues;
using System.Text;
using FunctionsJobs.Host.Queues;

namespace FunctionsJobs.UnitTests.Queues;

public sealed class QueueMessageDecoderTests
{
    public sealed record OrderPlaced(string OrderId, int Quantity);

    public sealed record Note(string Text, string? Comment = null);

    private static BinaryData Base64(string text) => Base64(Encoding.UTF8.GetBytes(text));

    private static BinaryData Base64(byte[] bytes) => BinaryData.FromString(Convert.ToBase64String(bytes));

    [Fact]
    public void Base64_json_decodes_to_the_record()
    {
        var ok = QueueMessageDecoder.TryDecode<OrderPlaced>(Base64("""{"orderId":"o-1","quantity":3}"""), QueueMessageEncoding.Base64, out var message, out var reason);

        Assert.True(ok, reason);
        Assert.Null(reason);
        Assert.Equal(new OrderPlaced("o-1", 3), message);
    }

    [Fact]
    public void Property_names_are_case_insensitive_as_on_the_web()
    {
        var ok = QueueMessageDecoder.TryDecode<OrderPlaced>(Base64("""{"OrderId":"o-2","QUANTITY":1}"""), QueueMessageEncoding.Base64, out var message, out _);

        Assert.True(ok);
        Assert.Equal(new OrderPlaced("o-2", 1), message);
    }

    [Theory]
    [InlineData("""{"orderId":"o-1","quantity":3}""")]
    [InlineData("not base64 at all!")]
    [InlineData("abc")]
    public void Text_that_is_not_base64_fails_with_a_base64_reason(string text)
    {
        var ok = QueueMessageDecoder.TryDecode<OrderPlaced>(BinaryData.FromString(text), QueueMessageEncoding.Base64, out var message, out var reason);

        Assert.False(ok);
        Assert.Null(message);
        Assert.NotNull(reason);
        Assert.Contains("base64", reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{oops")]
    [InlineData("")]
    [InlineData("[1,2,3]")]
    [InlineData("""{"orderId":"o-1","quantity":"three"}""")]
    [InlineData("""{"orderId":"o-1","quantity":3} trailing""")]
    public void Base64_of_invalid_json_fails_with_a_json_reason(string json)
    {
        var ok = QueueMessageDecoder.TryDecode<OrderPlaced>(Base64(json), QueueMessageEncoding.Base64, out var message, out var reason);

        Assert.False(ok);
        Assert.Null(message);
        Assert.NotNull(reason);
        Assert.Contains("JSON", reason, StringComparison.Ordinal);
        Assert.Contains(nameof(OrderPlaced), reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_null_fails_with_a_reason()
    {
        var ok = QueueMessageDecoder.TryDecode<OrderPlaced>(Base64("null"), QueueMessageEncoding.Base64, out var message, out var reason);

        Assert.False(ok);
        Assert.Null(message);
        Assert.NotNull(reason);
        Assert.Contains("null", reason, StringComparison.Ordinal);
        Assert.Contains(nameof(OrderPlaced), reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_required_constructor_parameter_fails()
    {
        var ok = QueueMessageDecoder.TryDecode<OrderPlaced>(Base64("""{"orderId":"o-1"}"""), QueueMessageEncoding.Base64, out var message, out var reason);

        Assert.False(ok);
        Assert.Null(message);
        Assert.NotNull(reason);
        Assert.Contains("JSON", reason, StringComparison.Ordinal);
        Assert.Contains("quantity", reason, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Null_for_a_non_nullable_property_fails()
    {
        var ok = QueueMessageDecoder.TryDecode<OrderPlaced>(Base64("""{"orderId":null,"quantity":1}"""), QueueMessageEncoding.Base64, out var message, out var reason);

        Assert.False(ok);
        Assert.Null(message);
        Assert.NotNull(reason);
        Assert.Contains("JSON", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Optional_constructor_parameter_may_be_missing()
    {
        var ok = QueueMessageDecoder.TryDecode<Note>(Base64("""{"text":"hi"}"""), QueueMessageEncoding.Base64, out var message, out var reason);

        Assert.True(ok, reason);
        Assert.Equal(new Note("hi"), message);
    }

    [Fact]
    public void String_target_gets_the_decoded_text()
    {
        var ok = QueueMessageDecoder.TryDecode<string>(Base64("héllo, wörld ✓"), QueueMessageEncoding.Base64, out var message, out var reason);

        Assert.True(ok, reason);
        Assert.Equal("héllo, wörld ✓", message);
    }

    [Fact]
    public void Base64_broken_by_line_breaks_still_decodes_as_Convert_reads_it()
    {
        var encoded = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("a message long enough to wrap its base64"));
        var wrapped = BinaryData.FromString(encoded[..20] + "\r\n" + encoded[20..]);

        var ok = QueueMessageDecoder.TryDecode<string>(wrapped, QueueMessageEncoding.Base64, out var message, out var reason);

        Assert.True(ok, reason);
        Assert.Equal("a message long enough to wrap its base64", message);
    }

    [Fact]
    public void String_target_does_not_parse_json()
    {
        var ok = QueueMessageDecoder.TryDecode<string>(Base64("null"), QueueMessageEncoding.Base64, out var message, out _);

        Assert.True(ok);
        Assert.Equal("null", message);
    }

    [Fact]
    public void BinaryData_target_gets_the_decoded_bytes()
    {
        byte[] bytes = [0xff, 0x00, 0x01, 0x80, 0x7f];

        var ok = QueueMessageDecoder.TryDecode<BinaryData>(Base64(bytes), QueueMessageEncoding.Base64, out var message, out var reason);

        Assert.True(ok, reason);
        Assert.NotNull(message);
        Assert.Equal(bytes, message.ToArray());
    }

    [Fact]
    public void Invalid_utf8_fails_for_a_string_target()
    {
        var ok = QueueMessageDecoder.TryDecode<string>(Base64([0x68, 0x69, 0xff, 0xfe]), QueueMessageEncoding.Base64, out var message, out var reason);

        Assert.False(ok);
        Assert.Null(message);
        Assert.NotNull(reason);
        Assert.Contains("UTF-8", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_utf8_inside_a_json_string_fails_instead_of_throwing()
    {
        var json = Encoding.UTF8.GetBytes("""{"orderId":"X","quantity":1}""");
        json[12] = 0xff; // the X

        var ok = QueueMessageDecoder.TryDecode<OrderPlaced>(Base64(json), QueueMessageEncoding.Base64, out var message, out var reason);

        Assert.False(ok);
        Assert.Null(message);
        Assert.NotNull(reason);
    }

    [Fact]
    public void Encoding_none_reads_json_bytes_as_they_are()
    {
        var ok = QueueMessageDecoder.TryDecode<OrderPlaced>(BinaryData.FromString("""{"orderId":"o-9","quantity":9}"""), QueueMessageEncoding.None, out var message, out var reason);

        Assert.True(ok, reason);
        Assert.Equal(new OrderPlaced("o-9", 9), message);
    }

    [Fact]
    public void Encoding_none_passes_bytes_through_unchanged()
    {
        byte[] bytes = [0xff, 0x00, 0x41, 0x3d];

        var ok = QueueMessageDecoder.TryDecode<BinaryData>(BinaryData.FromBytes(bytes), QueueMessageEncoding.None, out var message, out _);

        Assert.True(ok);
        Assert.NotNull(message);
        Assert.Equal(bytes, message.ToArray());
    }

    [Fact]
    public void Encoding_none_does_not_base64_decode_text()
    {
        var ok = QueueMessageDecoder.TryDecode<string>(BinaryData.FromString("aGVsbG8="), QueueMessageEncoding.None, out var message, out _);

        Assert.True(ok);
        Assert.Equal("aGVsbG8=", message);
    }
}
