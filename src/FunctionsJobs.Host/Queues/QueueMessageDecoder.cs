using System.Text;
using System.Text.Json;
using Azure.Storage.Queues;
using FunctionsJobs.Core.Queues;

namespace FunctionsJobs.Host.Queues;

/// <summary>
/// Turns a raw queue message into what its handler takes. A failure here is permanent (the same
/// bytes will never decode), so the caller sends the message straight to poison with the reason.
/// </summary>
internal static class QueueMessageDecoder
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static bool TryDecode<TMessage>(BinaryData raw, QueueMessageEncoding encoding, out TMessage? message, out string? reason)
    {
        message = default;
        reason = null;

        byte[] bytes;
        if (encoding == QueueMessageEncoding.Base64)
        {
            var text = raw.ToString();
            var buffer = new byte[text.Length];
            if (!Convert.TryFromBase64String(text, buffer, out var written))
            {
                reason = "message is not base64 (host.json extensions.queues.messageEncoding is 'base64')";
                return false;
            }

            bytes = buffer[..written];
        }
        else
        {
            bytes = raw.ToArray();
        }

        if (typeof(TMessage) == typeof(BinaryData))
        {
            message = (TMessage)(object)BinaryData.FromBytes(bytes);
            return true;
        }

        if (typeof(TMessage) == typeof(string))
        {
            try
            {
                message = (TMessage)(object)StrictUtf8.GetString(bytes);
                return true;
            }
            catch (DecoderFallbackException)
            {
                reason = "message is not UTF-8 text";
                return false;
            }
        }

        try
        {
            message = JsonSerializer.Deserialize<TMessage>(bytes, JobJson.Options);
            if (message is null)
            {
                reason = $"message is JSON null, not a {typeof(TMessage).Name}";
                return false;
            }

            return true;
        }
        catch (JsonException ex)
        {
            reason = $"message is not valid JSON for {typeof(TMessage).Name}: {ex.Message}";
            return false;
        }
    }
}
