using System.Runtime.InteropServices;

namespace NumoTelemetry.Capture;

/// <summary>
/// What one pass over the Cookie header finds, without allocating: counts and the positions of the
/// three cookies NumoTelemetry reads. Values are never stored, only hashed.
/// </summary>
[StructLayout(LayoutKind.Auto)]
internal ref struct CookieScan
{
    public int Count;
    public int Bytes;
    public ReadOnlySpan<char> Session;
    public ReadOnlySpan<char> Visitor;
    public ReadOnlySpan<char> Consent;

    /// <summary>Scans one Cookie header line (<c>a=1; b=2</c>). Malformed pairs are skipped.</summary>
    public void Scan(ReadOnlySpan<char> header, string sessionName, string visitorName, string? consentName)
    {
        Bytes += header.Length;
        while (!header.IsEmpty)
        {
            var semi = header.IndexOf(';');
            var pair = semi >= 0 ? header[..semi] : header;
            header = semi >= 0 ? header[(semi + 1)..] : default;
            pair = pair.Trim();
            if (pair.IsEmpty)
            {
                continue;
            }

            var eq = pair.IndexOf('=');
            if (eq <= 0)
            {
                continue;
            }

            Count++;
            var name = pair[..eq].Trim();
            var value = pair[(eq + 1)..].Trim();
            if (value.Length >= 2 && value[0] == '"' && value[^1] == '"')
            {
                value = value[1..^1];
            }

            if (value.IsEmpty)
            {
                continue;
            }

            if (Session.IsEmpty && name.SequenceEqual(sessionName))
            {
                Session = value;
            }
            else if (Visitor.IsEmpty && name.SequenceEqual(visitorName))
            {
                Visitor = value;
            }
            else if (consentName is not null && Consent.IsEmpty && name.SequenceEqual(consentName))
            {
                Consent = value;
            }
        }
    }
}
