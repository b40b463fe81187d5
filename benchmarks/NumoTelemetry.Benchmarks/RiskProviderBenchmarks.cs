using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Options;
using NumoTelemetry.Capture;
using NumoTelemetry.Fraud;
using NumoTelemetry.Fraud.State;
using NumoTelemetry.Pseudonymization;
using NumoTelemetry.Records;

namespace NumoTelemetry.Benchmarks;

/// <summary>The request hot path's risk lookup: the null provider (fraud off, baseline) against the cached provider, with and without risk.</summary>
[MemoryDiagnoser]
public class RiskProviderBenchmarks
{
    private IRiskProvider _provider = null!;
    private RequestRecord _record;

    [Params("null (off)", "cached, no risk", "cached, risky IP")]
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
        if (Provider == "cached, risky IP")
        {
            cache.Set(SubjectKey.From(SubjectKind.Ip, _record.Ip), 70, ReasonCodes.CredentialStuffing, at);
        }

        _provider = Provider == "null (off)" ? new NullRiskProvider() : new CachedRiskProvider(cache, Options.Create(options));
    }

    [Benchmark]
    public NumoRisk GetRisk() => _provider.GetRisk(in _record);
}
