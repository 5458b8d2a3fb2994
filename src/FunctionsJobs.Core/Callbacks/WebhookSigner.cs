using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace FunctionsJobs.Core.Callbacks;

/// <summary>
/// Signs a callback as Standard Webhooks (symmetric, v1) says: HMAC-SHA256 over
/// <c>{webhook-id}.{webhook-timestamp}.{body}</c> with each key, each signature written
/// <c>v1,{base64}</c>, space separated in <c>webhook-signature</c>. Any Standard Webhooks library verifies it.
/// </summary>
public sealed class WebhookSigner(CallbackSettings settings)
{
    public const string SecretPrefix = "whsec_";
    public const string IdHeader = "webhook-id";
    public const string TimestampHeader = "webhook-timestamp";
    public const string SignatureHeader = "webhook-signature";

    /// <summary>The <c>webhook-signature</c> value of one try: the timestamp is that of the try, the id that of the event.</summary>
    public string Sign(string eventId, DateTimeOffset timestamp, ReadOnlySpan<byte> body)
    {
        ArgumentException.ThrowIfNullOrEmpty(eventId);
        if (!settings.CanSign)
        {
            throw new InvalidOperationException($"no signing key: set {CallbackSettings.SigningSecretSetting}");
        }

        var signatures = new string[settings.SigningKeys.Count];
        for (var i = 0; i < signatures.Length; i++)
        {
            signatures[i] = Sign(settings.SigningKeys[i], eventId, timestamp, body);
        }

        return string.Join(' ', signatures);
    }

    public static string Sign(byte[] key, string eventId, DateTimeOffset timestamp, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(key);
        var prefix = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{eventId}.{timestamp.ToUnixTimeSeconds()}."));
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(prefix.Length));
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, signed));
    }
}
