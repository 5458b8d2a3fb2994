using System.Text;
using FunctionsJobs.Core.Orders;

namespace FunctionsJobs.UnitTests.Orders;

public sealed class OrderRequestParserTests
{
    private static readonly OrdersOptions Options = new();

    [Fact]
    public void A_valid_request_parses_with_names_matched_case_insensitively_and_unknown_fields_ignored()
    {
        var request = Parse("""{ "CustomerEmail": "ada@example.com", "items": [{ "SKU": "COFFEE-1KG", "quantity": 2 }, { "sku": "CUP", "quantity": 1000 }], "paymentToken": "tok_visa", "note": "x" }""", out var errors);

        Assert.Empty(errors);
        Assert.NotNull(request);
        Assert.Equal("ada@example.com", request.CustomerEmail);
        Assert.Equal([new RequestedLine("COFFEE-1KG", 2), new RequestedLine("CUP", 1000)], request.Items);
        Assert.Equal("tok_visa", request.PaymentToken);
    }

    [Fact]
    public void Every_invalid_field_is_named_at_once()
    {
        var request = Parse("""{ "customerEmail": "nope", "items": [{ "sku": "A", "quantity": 0 }, { "sku": "A", "quantity": 1 }, 7, { "sku": "b", "quantity": 1001 }], "paymentToken": "" }""", out var errors);

        Assert.Null(request);
        Assert.Equal(["customerEmail", "items[0].quantity", "items[1].sku", "items[2]", "items[3].quantity", "items[3].sku", "paymentToken"], errors.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("duplicates items[0].sku 'A': put the whole quantity on one line", Assert.Single(errors["items[1].sku"]));
        Assert.Equal("must be a whole number from 1 to 1000, not 1001", Assert.Single(errors["items[3].quantity"]));
    }

    [Theory]
    [InlineData("ada@example.com", true)]
    [InlineData("ada.lovelace+orders@mail.example.co.uk", true)]
    [InlineData("ada@example", false)]
    [InlineData("ada@", false)]
    [InlineData("@example.com", false)]
    [InlineData("ada example@example.com", false)]
    [InlineData("Ada <ada@example.com>", false)]
    [InlineData("ada@@example.com", false)]
    [InlineData("ada@example..com", false)]
    [InlineData("ada@.example.com", false)]
    [InlineData("ada@example.com.", false)]
    [InlineData("ada@example.com\r\nBcc: eve@example.com", false)]
    public void Email_addresses_are_bare_addr_specs_with_a_dotted_domain(string address, bool valid)
    {
        Assert.Equal(valid, EmailAddress.IsValid(address));
    }

    [Fact]
    public void An_email_longer_than_254_characters_is_refused_by_its_length()
    {
        Parse($$"""{ "customerEmail": "{{new string('a', 250)}}@b.com", "items": [{ "sku": "A", "quantity": 1 }], "paymentToken": "t" }""", out var errors);

        Assert.Equal("must be at most 254 characters", Assert.Single(errors["customerEmail"]));
    }

    [Fact]
    public void The_line_limit_is_the_setting_and_over_it_only_items_is_named()
    {
        var lines = string.Join(",", Enumerable.Range(0, 11).Select(i => $$"""{ "sku": "S{{i}}", "quantity": 0 }"""));
        Parse($$"""{ "customerEmail": "a@b.co", "items": [{{lines}}], "paymentToken": "t" }""", out var errors, Options with { MaxLines = 10 });

        Assert.Equal("must have at most 10 lines, not 11", Assert.Single(Assert.Single(errors).Value));
    }

    [Fact]
    public void Deeply_nested_json_is_refused_as_a_body_error_not_a_crash()
    {
        var deep = new string('[', 100) + new string(']', 100);

        Assert.Null(Parse(deep, out var errors));
        Assert.StartsWith("is not valid JSON", Assert.Single(errors["body"]), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("application/json", true)]
    [InlineData("application/json; charset=utf-8", true)]
    [InlineData("Application/JSON", true)]
    [InlineData("application/merge-patch+json", true)]
    [InlineData("text/json", false)]
    [InlineData("text/plain", false)]
    [InlineData("multipart/form-data; boundary=x", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void Only_json_media_types_are_accepted(string? contentType, bool json) => Assert.Equal(json, OrderIntake.IsJson(contentType));

    [Fact]
    public void The_fingerprint_ignores_formatting_and_property_order_but_not_content()
    {
        var a = Parse("""{"customerEmail":"a@b.co","items":[{"sku":"A","quantity":1}],"paymentToken":"t"}""", out _)!;
        var b = Parse("""{ "paymentToken": "t", "items": [ { "quantity": 1, "sku": "A" } ], "customerEmail": "a@b.co" }""", out _)!;
        var c = Parse("""{"customerEmail":"a@b.co","items":[{"sku":"A","quantity":2}],"paymentToken":"t"}""", out _)!;

        Assert.Equal(a.Fingerprint(), b.Fingerprint());
        Assert.NotEqual(a.Fingerprint(), c.Fingerprint());
    }

    private static OrderRequest? Parse(string json, out IDictionary<string, string[]> errors, OrdersOptions? options = null) =>
        OrderRequestParser.Parse(Encoding.UTF8.GetBytes(json), options ?? Options, out errors);
}
