using System.Security.Cryptography;
using System.Text.Json;

namespace FunctionsJobs.Core.Orders;

/// <summary>One line of an order request.</summary>
public sealed record RequestedLine(string Sku, int Quantity);

/// <summary>An order request that passed every check but the catalogue's.</summary>
public sealed record OrderRequest(string CustomerEmail, IReadOnlyList<RequestedLine> Items, string PaymentToken)
{
    /// <summary>
    /// A fingerprint of what was asked, not of the bytes: a retry that serializes the same order
    /// with other whitespace or property order is the same request for <c>Idempotency-Key</c>.
    /// </summary>
    public string Fingerprint()
    {
        var canonical = JsonSerializer.SerializeToUtf8Bytes(new { CustomerEmail, Items = Items.Select(i => new { i.Sku, i.Quantity }), PaymentToken });
        return Convert.ToHexStringLower(SHA256.HashData(canonical));
    }
}

/// <summary>
/// Reads the body of <c>POST /api/orders</c> and names every invalid field, JSON-path style
/// (<c>customerEmail</c>, <c>items[3].quantity</c>), as a validation problem lists them.
/// </summary>
public static class OrderRequestParser
{
    public const int MaxTokenLength = 256;

    public static OrderRequest? Parse(ReadOnlyMemory<byte> body, OrdersOptions options, out IDictionary<string, string[]> errors)
    {
        ArgumentNullException.ThrowIfNull(options);
        var found = new ValidationErrors();
        errors = found.Result;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 16, AllowDuplicateProperties = false });
        }
        catch (JsonException ex)
        {
            found.Add("body", $"is not valid JSON: {ex.Message}");
            return null;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                found.Add("body", $"must be a JSON object, not {Describe(root)}");
                return null;
            }

            var email = ReadEmail(Property(root, "customerEmail"), found);
            var items = ReadItems(Property(root, "items"), options, found);
            var token = ReadToken(Property(root, "paymentToken"), found);
            return found.Any ? null : new OrderRequest(email!, items!, token!);
        }
    }

    private static string? ReadEmail(JsonElement? value, ValidationErrors errors)
    {
        const string Field = "customerEmail";
        if (RequireString(value, Field, errors) is not { } email)
        {
            return null;
        }

        if (!EmailAddress.IsValid(email))
        {
            errors.Add(Field, email.Length > EmailAddress.MaxLength
                ? $"must be at most {EmailAddress.MaxLength} characters"
                : "must be an e-mail address such as name@example.com, without a display name");
            return null;
        }

        return email;
    }

    private static string? ReadToken(JsonElement? value, ValidationErrors errors)
    {
        const string Field = "paymentToken";
        if (RequireString(value, Field, errors) is not { } token)
        {
            return null;
        }

        if (token.Length > MaxTokenLength || token.Any(c => c <= ' ' || c > '~'))
        {
            errors.Add(Field, $"must be 1 to {MaxTokenLength} printable ASCII characters without spaces");
            return null;
        }

        return token;
    }

    private static List<RequestedLine>? ReadItems(JsonElement? value, OrdersOptions options, ValidationErrors errors)
    {
        const string Field = "items";
        if (value is null || value.Value.ValueKind == JsonValueKind.Null)
        {
            errors.Add(Field, "is required");
            return null;
        }

        if (value.Value.ValueKind != JsonValueKind.Array)
        {
            errors.Add(Field, $"must be an array of {{ sku, quantity }}, not {Describe(value.Value)}");
            return null;
        }

        var count = value.Value.GetArrayLength();
        if (count == 0 || count > options.MaxLines)
        {
            // Past the limit, naming each of thousands of lines would only make the answer huge.
            errors.Add(Field, count == 0 ? "must have at least one line" : $"must have at most {options.MaxLines} lines, not {count}");
            return null;
        }

        var lines = new List<RequestedLine>(count);
        var firstIndexOf = new Dictionary<string, int>(StringComparer.Ordinal);
        var index = 0;
        foreach (var item in value.Value.EnumerateArray())
        {
            var path = $"items[{index}]";
            if (item.ValueKind != JsonValueKind.Object)
            {
                errors.Add(path, $"must be an object {{ sku, quantity }}, not {Describe(item)}");
                index++;
                continue;
            }

            var sku = RequireString(Property(item, "sku"), $"{path}.sku", errors);
            if (sku is not null && !OrderCatalog.IsValidSku(sku))
            {
                errors.Add($"{path}.sku", $"must be 1 to {OrderCatalog.MaxSkuLength} uppercase letters, digits and single hyphens, not '{Truncate(sku)}'");
                sku = null;
            }
            else if (sku is not null && !firstIndexOf.TryAdd(sku, index))
            {
                errors.Add($"{path}.sku", $"duplicates items[{firstIndexOf[sku]}].sku '{sku}': put the whole quantity on one line");
                sku = null;
            }

            var quantity = ReadQuantity(Property(item, "quantity"), $"{path}.quantity", options.MaxQuantityPerLine, errors);
            if (sku is not null && quantity is not null)
            {
                lines.Add(new RequestedLine(sku, quantity.Value));
            }

            index++;
        }

        return lines;
    }

    private static int? ReadQuantity(JsonElement? value, string field, int max, ValidationErrors errors)
    {
        if (value is null || value.Value.ValueKind == JsonValueKind.Null)
        {
            errors.Add(field, "is required");
            return null;
        }

        if (value.Value.ValueKind != JsonValueKind.Number || !value.Value.TryGetInt64(out var quantity) || quantity < 1 || quantity > max)
        {
            errors.Add(field, $"must be a whole number from 1 to {max}, not {Truncate(value.Value.GetRawText())}");
            return null;
        }

        return (int)quantity;
    }

    private static string? RequireString(JsonElement? value, string field, ValidationErrors errors)
    {
        if (value is null || value.Value.ValueKind == JsonValueKind.Null)
        {
            errors.Add(field, "is required");
            return null;
        }

        if (value.Value.ValueKind != JsonValueKind.String)
        {
            errors.Add(field, $"must be a string, not {Describe(value.Value)}");
            return null;
        }

        var text = value.Value.GetString()!;
        if (text.Length == 0)
        {
            errors.Add(field, "must not be empty");
            return null;
        }

        return text;
    }

    /// <summary>Property names match case-insensitively, as ASP.NET Core binds JSON.</summary>
    private static JsonElement? Property(JsonElement element, string name)
    {
        foreach (var property in element.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value;
            }
        }

        return null;
    }

    private static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    private static string Truncate(string text) => text.Length <= 40 ? text : text[..40] + "…";

    private sealed class ValidationErrors
    {
        private readonly Dictionary<string, string[]> _errors = new(StringComparer.Ordinal);

        public IDictionary<string, string[]> Result => _errors;

        public bool Any => _errors.Count > 0;

        public void Add(string field, string problem) =>
            _errors[field] = _errors.TryGetValue(field, out var existing) ? [.. existing, problem] : [problem];
    }
}
