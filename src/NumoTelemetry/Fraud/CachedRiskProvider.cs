using Microsoft.Extensions.Options;
using NumoTelemetry.Capture;
using NumoTelemetry.Fraud.State;
using NumoTelemetry.Records;

namespace NumoTelemetry.Fraud;

/// <summary>
/// The risk provider when fraud detection is on: the highest decayed score over the request's IP, IP prefix, session and visitor,
/// read from the local <see cref="RiskCache"/>. Lock-free; allocates nothing.
/// </summary>
internal sealed class CachedRiskProvider : IRiskProvider
{
    private readonly RiskCache _cache;
    private readonly FraudOptions _options;

    public CachedRiskProvider(RiskCache cache, IOptions<NumoTelemetryOptions> options)
    {
        _cache = cache;
        _options = options.Value.Fraud;
    }

    public NumoRisk GetRisk(in RequestRecord record)
    {
        if (!_options.Enabled)
        {
            return NumoRisk.None;
        }

        var atMs = StateMath.UnixMs(record.Timestamp);
        double best = 0;
        string? reason = null;
        Consider(SubjectKind.Ip, in record, atMs, ref best, ref reason);
        Consider(SubjectKind.IpPrefix, in record, atMs, ref best, ref reason);
        Consider(SubjectKind.Session, in record, atMs, ref best, ref reason);
        Consider(SubjectKind.Visitor, in record, atMs, ref best, ref reason);
        if (best <= 0)
        {
            return NumoRisk.None;
        }

        return new NumoRisk(Math.Round(best, 1), _options.BandOf(best), reason);
    }

    private void Consider(SubjectKind kind, in RequestRecord record, long atMs, ref double best, ref string? reason)
    {
        var pseudonym = kind switch
        {
            SubjectKind.Ip => record.Ip,
            SubjectKind.IpPrefix => record.IpPrefix,
            SubjectKind.Session => record.Session,
            _ => record.Visitor,
        };
        if (pseudonym.IsEmpty)
        {
            return;
        }

        var score = _cache.Get(kind, pseudonym.Hash64, atMs, out var top);
        if (score > best)
        {
            best = score;
            reason = top;
        }
    }
}
