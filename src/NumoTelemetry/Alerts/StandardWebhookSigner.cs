using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace NumoTelemetry.Alerts;

/// <summary>
/// Standard Webhooks signatures: <c>webhook-signature: v1,base64(HMAC-SHA256(secret, "{webhook-id}.{webhook-timestamp}.{body}"))</c>,
/// the secret given as <c>whsec_</c> + base64.
/// </summary>
internal static class StandardWebhookSigner
{
    public const string SecretPrefix = "whsec_";

    /// <summary>Decodes a <c>whsec_</c> secret (24 to 64 bytes).</summary>
    public static bool TryDecodeSecret(string? secret, out byte[] key)
    {
        key = [];
        if (string.IsNullOrWhiteSpace(secret))
        {
            return false;
        }

        var text = secret.Trim();
        if (text.StartsWith(SecretPrefix, StringComparison.Ordinal))
        {
            text = text[SecretPrefix.Length..];
        }

        try
        {
            key = Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            return false;
        }

        return key.Length is >= 24 and <= 64;
    }

    /// <summary>The <c>webhook-signature</c> header value for one message.</summary>
    public static string Sign(ReadOnlySpan<byte> key, string messageId, long timestamp, ReadOnlySpan<byte> body)
    {
        var head = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{messageId}.{timestamp}."));
        var content = new byte[head.Length + body.Length];
        head.CopyTo(content, 0);
        body.CopyTo(content.AsSpan(head.Length));
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, content));
    }

    /// <summary>Makes a new secret in the Standard Webhooks format.</summary>
    public static string NewSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
}
