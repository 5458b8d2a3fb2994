using MimeKit;

namespace FunctionsJobs.Core.Orders;

/// <summary>The addresses orders accept: a bare addr-spec (no display name) with a dotted domain, at most 254 characters.</summary>
public static class EmailAddress
{
    public const int MaxLength = 254;

    public static bool IsValid(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > MaxLength || value.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            return false;
        }

        if (!MailboxAddress.TryParse(ParserOptions.Default, value, out var mailbox) || !string.IsNullOrEmpty(mailbox.Name) || mailbox.Address != value)
        {
            return false;
        }

        var at = value.LastIndexOf('@');
        var domain = value[(at + 1)..];
        return at > 0 && domain.Contains('.', StringComparison.Ordinal) && !domain.StartsWith('.') && !domain.EndsWith('.') && !domain.Contains("..", StringComparison.Ordinal);
    }
}
