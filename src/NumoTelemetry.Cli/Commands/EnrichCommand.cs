using System.CommandLine;
using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using NumoTelemetry.Dns;
using NumoTelemetry.GeoIP;
using NumoTelemetry.Records;
using NumoTelemetry.UserAgents;

namespace NumoTelemetry.Cli.Commands;

/// <summary>
/// <c>numo enrich [--geoip-dir DIR] [--dns-server IP:PORT]... [--no-dns] [--user-agent UA] IP...</c>: prints one JSON
/// object per address with every GeoIP and reverse-DNS fact, and, given a User-Agent, the crawler verdict. Reverse DNS
/// is on by default through the system's name servers. An operator's tool: unlike the middleware, it prints the
/// address and the PTR names.
/// </summary>
internal static class EnrichCommand
{
    private static readonly JsonWriterOptions s_json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    // Long because: the command's options, validation and per-address output in one System.CommandLine action.
    public static Command Create()
    {
        var geoipDir = new Option<DirectoryInfo?>("--geoip-dir") { Description = "A directory of MaxMind .mmdb files (City/Country, ASN, Anonymous-IP, ISP, Connection-Type; recognised by type)." };
        var dnsServers = new Option<string[]>("--dns-server") { Description = "A name server as IP or IP:PORT for reverse DNS (repeatable). Default: the system's name servers.", AllowMultipleArgumentsPerToken = false };
        var systemDns = new Option<bool>("--dns") { Description = "Reverse DNS through the system's name servers (the default; kept for scripts that pass it)." };
        var noDns = new Option<bool>("--no-dns") { Description = "No reverse DNS (GeoIP only)." };
        var timeout = new Option<int>("--dns-timeout-ms") { Description = "Timeout of one DNS query in milliseconds.", DefaultValueFactory = _ => 2000 };
        var userAgent = new Option<string?>("--user-agent") { Description = "A User-Agent: prints which crawler it claims and whether reverse DNS verifies it (verified, failed or unknown)." };
        var addresses = new Argument<string[]>("IP") { Description = "IPv4 or IPv6 addresses.", Arity = ArgumentArity.OneOrMore };
        var command = new Command("enrich", "Print every GeoIP and reverse-DNS fact of each address (and the crawler verdict for --user-agent) as one JSON object per line.")
        {
            geoipDir, dnsServers, systemDns, noDns, timeout, userAgent, addresses,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(new TextWriterLoggerProvider(error)).SetMinimumLevel(LogLevel.Warning));

            var servers = parse.GetValue(dnsServers) ?? [];
            if (parse.GetValue(noDns) && (servers.Length > 0 || parse.GetValue(systemDns)))
            {
                await error.WriteLineAsync("--no-dns cannot be combined with --dns or --dns-server.");
                return 2;
            }

            foreach (var server in servers)
            {
                if (!NameServerParser.TryParse(server, out _))
                {
                    await error.WriteLineAsync($"--dns-server: '{server}' is not an IP address or IP:PORT.");
                    return 2;
                }
            }

            using var geo = parse.GetValue(geoipDir) is { } dir ? OpenGeoIP(dir, loggerFactory.CreateLogger("NumoTelemetry.GeoIP")) : null;
            var options = new DnsOptions { NameServers = servers, Timeout = TimeSpan.FromMilliseconds(Math.Max(1, parse.GetValue(timeout))), Retries = 0 };
            Dns? dns = null;
            if (!parse.GetValue(noDns))
            {
                try
                {
                    dns = new Dns(options);
                }
                catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or System.Net.Sockets.SocketException or IOException or UnauthorizedAccessException)
                {
                    // For example no /etc/resolv.conf: the GeoIP facts are still worth printing.
                    await error.WriteLineAsync($"reverse DNS is off: the system's name servers could not be read ({ex.GetType().Name}: {ex.Message}); pass --dns-server IP[:PORT].");
                }
            }

            Crawler? crawler = parse.GetValue(userAgent) is { } ua ? new Crawler(ua, CrawlerTableFactory.Create(options)) : null;

            var exit = 0;
            foreach (var text in parse.GetValue(addresses) ?? [])
            {
                var line = await DescribeAsync(text, geo, dns, crawler, cancellationToken);
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

    private static async Task<(bool Valid, string Json)> DescribeAsync(string text, GeoIPLookup? geo, Dns? dns, Crawler? crawler, CancellationToken cancellationToken)
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

            ReverseDnsVerdict? verdict = null;
            if (dns is not null)
            {
                verdict = await dns.WriteAsync(writer, ip, cancellationToken);
            }

            crawler?.Write(writer, verdict);
            writer.WriteEndObject();
        }

        return (true, Encoding.UTF8.GetString(buffer.ToArray()));
    }

    private static void WriteGeo(Utf8JsonWriter writer, GeoIPLookup geo, IPAddress ip)
    {
        // Every fact is written, null when the databases do not know it, so the output always has the same keys.
        var facts = geo.LookupUncached(ip);
        writer.WriteStartObject("geo");
        WriteNullable(writer, "country", facts.CountryIsoCode);
        WriteNullable(writer, "continent", facts.ContinentCode);
        WriteNullable(writer, "subdivision", facts.SubdivisionIsoCode);
        WriteNullable(writer, "city", facts.City);
        WriteNullable(writer, "latitude", facts.HasLocation ? facts.Latitude : null);
        WriteNullable(writer, "longitude", facts.HasLocation ? facts.Longitude : null);
        WriteNullable(writer, "accuracyRadiusKm", facts.AccuracyRadiusKm);
        WriteNullable(writer, "asn", facts.Asn);
        WriteNullable(writer, "asnOrganization", facts.AsnOrganization);
        WriteNullable(writer, "isp", facts.Isp);
        WriteNullable(writer, "connectionType", facts.ConnectionType);

        // The anonymous-network flags are facts only when an Anonymous-IP database is loaded; null otherwise.
        var anonymousDb = geo.Databases?[GeoIPSlot.AnonymousIP] is not null;
        WriteFlag(writer, "anonymous", anonymousDb, facts.Flags, NetworkFlags.Anonymous);
        WriteFlag(writer, "anonymousVpn", anonymousDb, facts.Flags, NetworkFlags.AnonymousVpn);
        WriteFlag(writer, "hosting", anonymousDb, facts.Flags, NetworkFlags.Hosting);
        WriteFlag(writer, "publicProxy", anonymousDb, facts.Flags, NetworkFlags.PublicProxy);
        WriteFlag(writer, "residentialProxy", anonymousDb, facts.Flags, NetworkFlags.ResidentialProxy);
        WriteFlag(writer, "torExitNode", anonymousDb, facts.Flags, NetworkFlags.TorExitNode);
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

    private static void WriteFlag(Utf8JsonWriter writer, string name, bool known, NetworkFlags flags, NetworkFlags flag)
    {
        if (known)
        {
            writer.WriteBoolean(name, (flags & flag) != 0);
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    private static void WriteNullable(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }

    private static void WriteNullable(Utf8JsonWriter writer, string name, double? value)
    {
        if (value is { } v)
        {
            writer.WriteNumber(name, v);
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    private static void WriteNullable(Utf8JsonWriter writer, string name, long? value)
    {
        if (value is { } v)
        {
            writer.WriteNumber(name, v);
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    /// <summary>Reverse DNS for the tool: one PTR question, then the same forward-confirmed verdict the middleware computes.</summary>
    private sealed class Dns(DnsOptions options)
    {
        private readonly DnsClientResolver _resolver = new(options);
        private readonly CrawlerTable _crawlers = CrawlerTableFactory.Create(options);

        public async Task<ReverseDnsVerdict> WriteAsync(Utf8JsonWriter writer, IPAddress ip, CancellationToken cancellationToken)
        {
            // The PTR answer is asked once and handed to the forward confirmation (asking twice doubled every timeout).
            var ptr = await _resolver.ReverseAsync(ip, cancellationToken);
            var verdict = await new ForwardConfirmedResolver(_resolver, _crawlers, PublicSuffixList.Default, null, options.MaxPtrNames).ConfirmAsync(ip, ptr, cancellationToken);
            writer.WriteStartObject("dns");
            if (options.NameServers.Length == 0)
            {
                writer.WriteString("nameServers", "system");
            }
            else
            {
                writer.WriteStartArray("nameServers");
                foreach (var server in options.NameServers)
                {
                    writer.WriteStringValue(server);
                }

                writer.WriteEndArray();
            }

            writer.WriteString("status", verdict.Status switch
            {
                ReverseDnsStatus.Confirmed => "confirmed",
                ReverseDnsStatus.NotConfirmed => "not-confirmed",
                ReverseDnsStatus.NoName => "no-ptr",
                _ => "failed",
            });
            writer.WriteBoolean("forwardConfirmed", verdict.Status == ReverseDnsStatus.Confirmed);
            writer.WriteStartArray("ptr");
            foreach (var name in ptr.Names)
            {
                writer.WriteStringValue(name);
            }

            writer.WriteEndArray();
            WriteNullable(writer, "networkDomain", verdict.Domain);
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
            return verdict;
        }
    }

    /// <summary>The crawler a User-Agent claims (parsed by the same engine as the middleware) and the middleware's verdict on it.</summary>
    private sealed class Crawler(string userAgent, CrawlerTable crawlers)
    {
        private readonly int _claimed = crawlers.Match(new UserAgentParser().Parse(userAgent));

        public void Write(Utf8JsonWriter writer, ReverseDnsVerdict? verdict)
        {
            writer.WriteStartObject("crawler");
            writer.WriteString("userAgent", userAgent);
            WriteNullable(writer, "claimed", _claimed >= 0 ? crawlers.Name(_claimed) : null);

            // Without reverse DNS (--no-dns) a claim can be neither verified nor refuted: unknown.
            var verification = _claimed < 0 ? CrawlerVerification.NotClaimed : ReverseDnsEnricher.Verify(verdict ?? ReverseDnsVerdict.Failed, _claimed);
            writer.WriteString("verdict", verification switch
            {
                CrawlerVerification.NotClaimed => "not-claimed",
                CrawlerVerification.Verified => "verified",
                CrawlerVerification.Failed => "failed",
                _ => "unknown",
            });
            writer.WriteEndObject();
        }
    }
}
