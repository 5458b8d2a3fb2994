using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace FunctionsJobs.Testing;

/// <summary>
/// A receiver's check of a Standard Webhooks request, written from the specification and not from
/// the app's signer: the three headers present, the timestamp within the tolerance, and one
/// <c>v1</c> signature of <c>{id}.{timestamp}.{body}</c> matching, compared in constant time.
/// </summary>
public sealed class StandardWebhookVerifier(string secret, TimeSpan? tolerance = null)
{
    private readonly byte[] _key = Convert.FromBase64String(secret.StartsWith("whsec_", StringComparison.Ordinal) ? secret[6..] : secret);
    private readonly TimeSpan _tolerance = tolerance ?? TimeSpan.FromMinutes(5);

    /// <returns>Null when the request verifies, else why not.</returns>
    public string? Verify(string? id, string? timestamp, string? signatures, byte[] body, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(timestamp) || string.IsNullOrEmpty(signatures))
        {
            return "missing webhook-id, webhook-timestamp or webhook-signature";
        }

        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return $"webhook-timestamp '{timestamp}' is not unix seconds";
        }

        var sent = DateTimeOffset.FromUnixTimeSeconds(seconds);
        if (sent < now - _tolerance || sent > now + _tolerance)
        {
            return $"webhook-timestamp {sent:O} is outside {_tolerance} of {now:O}";
        }

        var content = Encoding.UTF8.GetBytes($"{id}.{timestamp}.").Concat(body).ToArray();
        var expected = HMACSHA256.HashData(_key, content);
        foreach (var signature in signatures.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = signature.Split(',', 2);
            if (parts.Length == 2 && parts[0] == "v1" && TryDecode(parts[1], out var given) && CryptographicOperations.FixedTimeEquals(given, expected))
            {
                return null;
            }
        }

        return "no v1 signature matches";
    }

    private static bool TryDecode(string base64, out byte[] bytes)
    {
        bytes = new byte[32];
        return Convert.TryFromBase64String(base64, bytes, out var written) && written == 32;
    }
}
