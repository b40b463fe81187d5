using System.Globalization;
using System.Net;

namespace NumoTelemetry.Dns;

/// <summary>Parses <c>IP</c>, <c>IP:PORT</c> and <c>[IPv6]:PORT</c> name server entries.</summary>
internal static class NameServerParser
{
    public static bool TryParse(string? text, out IPEndPoint endPoint)
    {
        endPoint = null!;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        text = text.Trim();
        if (IPAddress.TryParse(text, out var bare) && !text.Contains(']', StringComparison.Ordinal))
        {
            endPoint = new IPEndPoint(bare, 53);
            return true;
        }

        if (IPEndPoint.TryParse(text, out var parsed) && parsed.Port is > 0 and <= 65535)
        {
            endPoint = parsed.Port == 0 ? new IPEndPoint(parsed.Address, 53) : parsed;
            return true;
        }

        return false;
    }

    public static IPEndPoint[] ParseAll(IReadOnlyList<string>? entries)
    {
        var result = new List<IPEndPoint>();
        if (entries is null)
        {
            return [];
        }

        foreach (var entry in entries)
        {
            if (!TryParse(entry, out var endPoint))
            {
                throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"NumoTelemetry:Dns:NameServers: '{entry}' is not an IP address or IP:PORT."));
            }

            result.Add(endPoint);
        }

        return [.. result];
    }
}
