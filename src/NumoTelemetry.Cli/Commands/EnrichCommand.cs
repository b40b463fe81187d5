using System.CommandLine;
using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using NumoTelemetry.Capture;
using NumoTelemetry.Dns;
using NumoTelemetry.Enrichment;
using NumoTelemetry.GeoIP;

namespace NumoTelemetry.Cli.Commands;

/// <summary>
/// <c>numo enrich [--geoip-dir DIR] [--dns-server IP:PORT | --dns] IP...</c>: prints one JSON object per address with
/// every GeoIP and reverse-DNS fact. An operator's tool: unlike the middleware, it prints the address and the PTR names.
/// </summary>
internal static class EnrichCommand
{
    private static readonly JsonWriterOptions s_json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Command Create()
    {
        var geoipDir = new Option<DirectoryInfo?>("--geoip-dir") { Description = "A directory of MaxMind .mmdb files (City/Country, ASN, Anonymous-IP, ISP, Connection-Type; recognised by type)." };
        var dnsServers = new Option<string[]>("--dns-server") { Description = "A name server as IP or IP:PORT for reverse DNS (repeatable).", AllowMultipleArgumentsPerToken = false };
        var systemDns = new Option<bool>("--dns") { Description = "Reverse DNS through the system's name servers." };
        var timeout = new Option<int>("--dns-timeout-ms") { Description = "Timeout of one DNS query in milliseconds.", DefaultValueFactory = _ => 2000 };
        var addresses = new Argument<string[]>("IP") { Description = "IPv4 or IPv6 addresses.", Arity = ArgumentArity.OneOrMore };
        var command = new Command("enrich", "Print every GeoIP and reverse-DNS fact of each address as one JSON object per line.") { geoipDir, dnsServers, systemDns, timeout, addresses };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(new TextWriterLoggerProvider(error)).SetMinimumLevel(LogLevel.Warning));

            using var geo = parse.GetValue(geoipDir) is { } dir ? OpenGeoIP(dir, loggerFactory.CreateLogger("NumoTelemetry.GeoIP")) : null;
            var servers = parse.GetValue(dnsServers) ?? [];
            Dns? dns = null;
            if (servers.Length > 0 || parse.GetValue(systemDns))
            {
                foreach (var server in servers)
                {
                    if (!NameServerParser.TryParse(server, out _))
                    {
                        await error.WriteLineAsync($"--dns-server: '{server}' is not an IP address or IP:PORT.");
                        return 2;
                    }
                }

                dns = new Dns(new ReverseDnsOptions { NameServers = servers, Timeout = TimeSpan.FromMilliseconds(Math.Max(1, parse.GetValue(timeout))), Retries = 0 });
            }

            var exit = 0;
            foreach (var text in parse.GetValue(addresses) ?? [])
            {
                var line = await DescribeAsync(text, geo, dns, cancellationToken);
                exit = line.Valid ? exit : 1;
                await output.WriteLineAsync(line.Json);
            }

            return exit;
        });
        return command;
    }

    private static GeoIPLookup OpenGeoIP(DirectoryInfo dir, ILogger logger)
    {
        var lookup = new GeoIPLookup(
            new GeoIPOptions { DatabaseDirectory = dir.FullName, WatchForChanges = false, LookUpPrivateAddresses = true, CacheSize = 16 },
            null,
            logger,
            TimeProvider.System,
            null);
        lookup.Start();
        return lookup;
    }

    private static async Task<(bool Valid, string Json)> DescribeAsync(string text, GeoIPLookup? geo, Dns? dns, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, s_json))
        {
            writer.WriteStartObject();
            writer.WriteString("ip", text);
            if (!ClientAddress.TryParse(text, out var address) || address.ToIPAddress() is not { } ip)
            {
                writer.WriteString("error", "not an IPv4 or IPv6 address");
                writer.WriteEndObject();
                writer.Flush();
                return (false, Encoding.UTF8.GetString(buffer.ToArray()));
            }

            writer.WriteString("normalized", ip.ToString());
            writer.WriteString("family", address.IsIPv4 ? "ipv4" : "ipv6");
            writer.WriteBoolean("private", address.IsPrivateOrLocal);
            if (geo is not null)
            {
                WriteGeo(writer, geo, ip);
            }

            if (dns is not null)
            {
                await dns.WriteAsync(writer, ip, cancellationToken);
            }

            writer.WriteEndObject();
        }

        return (true, Encoding.UTF8.GetString(buffer.ToArray()));
    }

    private static void WriteGeo(Utf8JsonWriter writer, GeoIPLookup geo, IPAddress ip)
    {
        var facts = geo.LookupUncached(ip);
        writer.WriteStartObject("geo");
        WriteString(writer, "country", facts.CountryIsoCode);
        WriteString(writer, "continent", facts.ContinentCode);
        WriteString(writer, "subdivision", facts.SubdivisionIsoCode);
        WriteString(writer, "city", facts.City);
        if (facts.HasLocation)
        {
            writer.WriteNumber("latitude", facts.Latitude!.Value);
            writer.WriteNumber("longitude", facts.Longitude!.Value);
        }

        if (facts.AccuracyRadiusKm is { } radius)
        {
            writer.WriteNumber("accuracyRadiusKm", radius);
        }

        if (facts.Asn is { } asn)
        {
            writer.WriteNumber("asn", asn);
        }

        WriteString(writer, "asnOrganization", facts.AsnOrganization);
        WriteString(writer, "isp", facts.Isp);
        WriteString(writer, "connectionType", facts.ConnectionType);
        writer.WriteStartArray("flags");
        foreach (var flag in Enum.GetValues<NetworkFlags>())
        {
            if (flag != NetworkFlags.None && facts.Flags.HasFlag(flag))
            {
                writer.WriteStringValue(JsonNamingPolicy.KebabCaseLower.ConvertName(flag.ToString()));
            }
        }

        writer.WriteEndArray();
        writer.WriteStartArray("databases");
        foreach (var db in geo.Databases?.Slots ?? [])
        {
            if (db is not null)
            {
                writer.WriteStringValue(db.FileName);
            }
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteString(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }

    /// <summary>Reverse DNS for the tool: PTR names, then the same forward-confirmed verdict the middleware computes.</summary>
    private sealed class Dns(ReverseDnsOptions options)
    {
        private readonly DnsClientResolver _resolver = new(options);
        private readonly CrawlerTable _crawlers = CrawlerTableFactory.Create(options);

        public async Task WriteAsync(Utf8JsonWriter writer, IPAddress ip, CancellationToken cancellationToken)
        {
            var ptr = await _resolver.ReverseAsync(ip, cancellationToken);
            var verdict = await new ForwardConfirmedResolver(_resolver, _crawlers, PublicSuffixList.Default, null, options.MaxPtrNames).ResolveAsync(ip, cancellationToken);
            writer.WriteStartObject("dns");
            writer.WriteString("status", verdict.Status switch
            {
                ReverseDnsStatus.Confirmed => "confirmed",
                ReverseDnsStatus.NotConfirmed => "not-confirmed",
                ReverseDnsStatus.NoName => "no-ptr",
                _ => "failed",
            });
            writer.WriteStartArray("ptr");
            foreach (var name in ptr.Names)
            {
                writer.WriteStringValue(name);
            }

            writer.WriteEndArray();
            WriteString(writer, "networkDomain", verdict.Domain);
            writer.WriteStartArray("verifiedCrawlers");
            for (var i = 0; i < _crawlers.Count; i++)
            {
                if ((verdict.CrawlerMask & (1UL << i)) != 0)
                {
                    writer.WriteStringValue(_crawlers.Name(i));
                }
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }
    }
}
