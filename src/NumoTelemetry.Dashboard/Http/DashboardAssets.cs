using System.Security.Cryptography;

namespace NumoTelemetry.Dashboard.Http;

/// <summary>The page, script and style sheet, embedded in the assembly (no CDN, no external fonts) and read once.</summary>
internal sealed class DashboardAssets
{
    private static readonly (string Name, string ContentType)[] s_files =
    [
        ("index.html", "text/html; charset=utf-8"),
        ("app.js", "text/javascript; charset=utf-8"),
        ("app.css", "text/css; charset=utf-8"),
        ("favicon.ico", "image/x-icon"),
        ("shared.html", "text/html; charset=utf-8"),
        ("shared.js", "text/javascript; charset=utf-8"),
        ("fraud.html", "text/html; charset=utf-8"),
        ("fraud.js", "text/javascript; charset=utf-8"),
        ("fraud.css", "text/css; charset=utf-8"),
    ];

    private readonly Dictionary<string, Asset> _assets = new(StringComparer.Ordinal);

    public DashboardAssets()
    {
        var assembly = typeof(DashboardAssets).Assembly;
        foreach (var (name, contentType) in s_files)
        {
            using var stream = assembly.GetManifestResourceStream("NumoTelemetry.Dashboard.wwwroot." + name)
                ?? throw new InvalidOperationException($"The dashboard asset {name} is missing from the assembly.");
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var bytes = buffer.ToArray();
            var etag = "\"" + Convert.ToHexString(SHA256.HashData(bytes), 0, 8) + "\"";
            _assets[name] = new Asset(bytes, contentType, etag);
        }
    }

    public Asset this[string name] => _assets[name];

    internal sealed record Asset(byte[] Content, string ContentType, string ETag);
}
