using System.Buffers;
using System.Buffers.Text;
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

        ReadOnlySpan<byte> bytes;
        if (encoding == QueueMessageEncoding.Base64)
        {
            // Straight from the UTF-8 text into one buffer: no string of the base64 and no second copy.
            var text = raw.ToMemory().Span;
            var buffer = new byte[Base64.GetMaxDecodedFromUtf8Length(text.Length)];
            if (Base64.DecodeFromUtf8(text, buffer, out _, out var written) == OperationStatus.Done)
            {
                bytes = buffer.AsSpan(0, written);
            }
            else if (Convert.TryFromBase64String(raw.ToString(), buffer, out written))
            {
                // Base64 with white space in it, which Convert accepts as Functions does.
                bytes = buffer.AsSpan(0, written);
            }
            else
            {
                reason = "message is not base64 (host.json extensions.queues.messageEncoding is 'base64')";
                return false;
            }
        }
        else
        {
            bytes = raw.ToMemory().Span;
        }

        if (typeof(TMessage) == typeof(BinaryData))
        {
            message = (TMessage)(object)BinaryData.FromBytes(bytes.ToArray());
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
