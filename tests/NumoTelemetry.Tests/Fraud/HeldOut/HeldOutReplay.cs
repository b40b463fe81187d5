using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using NumoTelemetry.Alerts;
using NumoTelemetry.Capture;
using NumoTelemetry.Cli.Replay;
using NumoTelemetry.Enrichment;
using NumoTelemetry.Pseudonymization;
using NumoTelemetry.Records;

namespace NumoTelemetry.Tests.Fraud.HeldOut;

/// <summary>
/// The harness of the held-out evaluations: a key from the seed, the traffic as the jsonl a site's log would hold, <c>numo replay</c>'s
/// runner in process with the world's GeoIP and reverse-DNS facts, and each request's subjects as the engine names them (for
/// attributing alerts back to scenarios).
/// </summary>
internal sealed class HeldOutReplay : IDisposable
{
    private readonly string _key;
    private readonly Dictionary<string, long> _asnOf = HeldOutWorld.All.ToDictionary(static n => $"{n.A}.{n.B}.", static n => (long)n.Geo.Asn!.Value);

    /// <param name="seed">The evaluation's seed: the key is made from it (a test value, not a secret), so the same pseudonyms, and
    /// the same sketches, on every run.</param>
    public HeldOutReplay(int seed)
    {
        var keyBytes = new byte[32];
        new Random(seed).NextBytes(keyBytes);
        _key = Convert.ToBase64String(keyBytes);
        Options = new NumoTelemetryOptions();
        Options.Pseudonymization.Keys["1"] = _key;
        Pseudonymizer = new Pseudonymizer(KeyRing.FromOptions(Options.Pseudonymization), Options.Pseudonymization);
        Signer = new VisitorCookieSigner(Pseudonymizer.KeyRing);
    }

    public NumoTelemetryOptions Options { get; }

    public Pseudonymizer Pseudonymizer { get; }

    /// <summary>Issues the signed visitor cookies the traffic carries.</summary>
    public VisitorCookieSigner Signer { get; }

    /// <summary>The alerts the replay raised.</summary>
    public CollectingAlertSink Alerts { get; } = new();

    /// <summary>The stand-in for GeoIP and reverse DNS over <see cref="HeldOutWorld"/>.</summary>
    public SimulatedNetworkEnricher Enricher { get; } = new(HeldOutWorld.All);

    /// <summary>Replays <paramref name="traffic"/> through <c>numo replay</c>'s runner, the key and <paramref name="settings"/> configured.</summary>
    public ReplaySummary Run(IReadOnlyList<HeldOutRequest> traffic, IReadOnlyDictionary<string, string?>? settings = null)
    {
        using var input = ToJsonl(traffic);
        var values = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>()) { ["NumoTelemetry:Pseudonymization:Keys:1"] = _key };
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        using var runner = new ReplayRunner(configuration, null, b => b.Services.AddSingleton<IRequestEnricher>(Enricher).AddSingleton<IAlertSink>(Alerts), Stream.Null);
        return runner.Run(input, ReplayFormat.Jsonl);
    }

    /// <summary>The subjects of <paramref name="r"/> as the engine names them in alerts: kind (<c>ip</c>, <c>ip-prefix</c>, <c>asn</c>,
    /// <c>session</c>, <c>visitor</c>, <c>user</c>) and subject text.</summary>
    public IEnumerable<(string Kind, string Subject)> SubjectsOf(HeldOutRequest r)
    {
        ClientAddress.TryParse(r.Ip, out var address);
        yield return ("ip", Pseudonymizer.PseudonymizeAddress(address, PseudonymKind.Ip, r.At).ToString());
        yield return ("ip-prefix", Pseudonymizer.PseudonymizeAddress(address, PseudonymKind.IpPrefix, r.At).ToString());
        var dot = r.Ip.IndexOf('.', r.Ip.IndexOf('.', StringComparison.Ordinal) + 1);
        yield return ("asn", _asnOf[r.Ip[..(dot + 1)]].ToString(CultureInfo.InvariantCulture));
        if (r.Session is not null)
        {
            yield return ("session", Pseudonymizer.PseudonymizeNormalized(PseudonymKind.Session, r.Session, r.At, PseudonymScope.Fraud).ToString());
        }

        if (r.Visitor is not null)
        {
            yield return ("visitor", Pseudonymizer.PseudonymizeNormalized(PseudonymKind.Visitor, r.Visitor, r.At, PseudonymScope.Fraud).ToString());
        }

        if (r.User is not null)
        {
            yield return ("user", Pseudonymizer.Pseudonymize(PseudonymKind.User, r.User, r.At).ToString());
        }
    }

    /// <summary>The rules of <paramref name="alerts"/> by rule and subject kind, most first (a report cell).</summary>
    public static string Rules(List<FraudAlert> alerts) =>
        alerts.Count == 0 ? "" : string.Join(", ", alerts.GroupBy(static a => a.Rule + "/" + a.SubjectKind).OrderByDescending(static g => g.Count()).Select(static g => $"{g.Key} {g.Count()}"));

    public void Dispose() => Pseudonymizer.Dispose();

    /// <summary>The jsonl lines a site's log would hold for <paramref name="traffic"/>.</summary>
    private MemoryStream ToJsonl(IReadOnlyList<HeldOutRequest> traffic)
    {
        var visitorCookie = Options.Capture.VisitorCookieName;
        var input = new MemoryStream();
        using (var writer = new Utf8JsonWriter(input))
        {
            foreach (var r in traffic)
            {
                Write(writer, r, visitorCookie);
                writer.Flush();
                writer.Reset();
                input.WriteByte((byte)'\n');
            }
        }

        input.Position = 0;
        return input;
    }

    private static void Write(Utf8JsonWriter writer, HeldOutRequest r, string visitorCookie)
    {
        writer.WriteStartObject();
        writer.WriteString("ts", r.At.ToString("O", CultureInfo.InvariantCulture));
        writer.WriteString("ip", r.Ip);
        writer.WriteString("method", r.Method);
        writer.WriteString("path", r.Path);
        writer.WriteNumber("status", r.Status);
        writer.WriteString("ua", r.UserAgent);
        WriteIfSet(writer, "route", r.Route);
        WriteIfSet(writer, "cookie", r.Visitor is null ? null : visitorCookie + "=" + r.Visitor);
        WriteIfSet(writer, "session", r.Session);
        WriteIfSet(writer, "user", r.User);
        WriteIfSet(writer, "event", r.Event);
        WriteIfSet(writer, "phone", r.Phone);
        if (r.Headers is { Count: > 0 } headers)
        {
            writer.WriteStartObject("headers");
            foreach (var (name, value) in headers)
            {
                writer.WriteString(name, value);
            }

            writer.WriteEndObject();
        }

        writer.WriteNumber("durationMs", r.DurationMs);
        writer.WriteEndObject();
    }

    private static void WriteIfSet(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }
}
