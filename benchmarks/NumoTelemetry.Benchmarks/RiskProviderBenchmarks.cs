using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Options;
using NumoTelemetry.Capture;
using NumoTelemetry.Fraud;
using NumoTelemetry.Fraud.Feedback;
using NumoTelemetry.Fraud.State;
using NumoTelemetry.Pseudonymization;
using NumoTelemetry.Records;

namespace NumoTelemetry.Benchmarks;

/// <summary>
/// The request hot path's risk lookup: the null provider (fraud off, baseline) against the cached provider, with and without risk,
/// and with the fraud team's lists holding 10,000 entries (the risky IP allowed for another rule: every subject is looked up).
/// </summary>
[MemoryDiagnoser]
public class RiskProviderBenchmarks
{
    private IRiskProvider _provider = null!;
    private RequestRecord _record;

    [Params("null (off)", "cached, no risk", "cached, risky IP", "cached, risky IP, 10k list entries")]
    public string Provider { get; set; } = "null (off)";

    [GlobalSetup]
    public void Setup()
    {
        var options = new NumoTelemetryOptions();
        options.Pseudonymization.Keys["1"] = KeyRing.GenerateKey();
        using var pseudonymizer = new Pseudonymizer(KeyRing.FromOptions(options.Pseudonymization), options.Pseudonymization);
        var at = DateTimeOffset.UtcNow;
        _record = new RequestRecord
        {
            Timestamp = at,
            Ip = pseudonymizer.Pseudonymize(PseudonymKind.Ip, "81.2.3.4", at),
            IpPrefix = pseudonymizer.Pseudonymize(PseudonymKind.IpPrefix, "81.2.3.4", at),
            Session = pseudonymizer.Pseudonymize(PseudonymKind.Session, "s", at),
            Visitor = pseudonymizer.Pseudonymize(PseudonymKind.Visitor, "v", at),
        };
        var cache = new RiskCache(65_536, TimeSpan.FromHours(1));
        if (Provider.StartsWith("cached, risky IP", StringComparison.Ordinal))
        {
            cache.Set(SubjectKey.From(SubjectKind.Ip, _record.Ip), 70, ReasonCodes.CredentialStuffing, at);
        }

        var lists = new FraudListBook(100_000);
        if (Provider.EndsWith("list entries", StringComparison.Ordinal))
        {
            var entries = new List<(FraudListEntry, SubjectKey)>();
            for (var i = 0; i < 10_000; i++)
            {
                var subject = SubjectKey.ForAsn(i + 1);
                entries.Add((new FraudListEntry { Id = "fl_" + i, SubjectKind = SubjectKind.Asn, Subject = subject.ToString() }, subject));
            }

            var ip = SubjectKey.From(SubjectKind.Ip, _record.Ip);
            entries.Add((new FraudListEntry { Id = "fl_ip", SubjectKind = SubjectKind.Ip, Subject = ip.ToString(), Rule = ReasonCodes.Scanner }, ip));
            lists.ReplaceAll(entries);
        }

        _provider = Provider == "null (off)" ? new NullRiskProvider() : new CachedRiskProvider(cache, Options.Create(options), lists);
    }

    [Benchmark]
    public RequestRisk GetRisk() => _provider.GetRisk(in _record);
}
