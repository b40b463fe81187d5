using Microsoft.Extensions.Options;
using NumoTelemetry.Capture;
using NumoTelemetry.Fraud.Feedback;
using NumoTelemetry.Fraud.State;
using NumoTelemetry.Pseudonymization;
using NumoTelemetry.Records;

namespace NumoTelemetry.Fraud;

/// <summary>
/// The risk provider when fraud detection is on: the highest decayed score over the request's IP, IP prefix, session and visitor,
/// read from the local <see cref="RiskCache"/>, with the fraud team's lists applied: a subject allowed for every rule (or for the
/// rule behind its score) adds nothing, a denied one (the IP, prefix, session, visitor or account) puts the request in the page
/// band. Lock-free; allocates nothing; with both lists empty the lists cost one volatile read.
/// </summary>
internal sealed class CachedRiskProvider : IRiskProvider, IPhonePrefixRisk
{
    private readonly RiskCache _cache;
    private readonly FraudOptions _options;
    private readonly FraudListBook? _lists;

    public CachedRiskProvider(RiskCache cache, IOptions<NumoTelemetryOptions> options)
        : this(cache, options, null)
    {
    }

    public CachedRiskProvider(RiskCache cache, IOptions<NumoTelemetryOptions> options, FraudListBook? lists)
    {
        _cache = cache;
        _options = options.Value.Fraud;
        _lists = lists;
    }

    public RequestRisk GetRisk(in RequestRecord record)
    {
        if (!_options.Enabled)
        {
            return RequestRisk.None;
        }

        var lists = _lists?.Current;
        if (lists is { IsEmpty: true })
        {
            lists = null;
        }

        var atMs = StateMath.UnixMs(record.Timestamp);
        var risk = default(Best);
        Consider(SubjectKey.From(SubjectKind.Ip, record.Ip), atMs, lists, ref risk);
        Consider(SubjectKey.From(SubjectKind.IpPrefix, record.IpPrefix), atMs, lists, ref risk);
        Consider(SubjectKey.From(SubjectKind.Session, record.Session), atMs, lists, ref risk);
        Consider(SubjectKey.From(SubjectKind.Visitor, record.Visitor), atMs, lists, ref risk);
        if (lists is not null && lists.Find(SubjectKey.From(SubjectKind.User, record.User)) is { } user && user.Denied(atMs))
        {
            Deny(ref risk);
        }

        return ToRisk(in risk);
    }

    /// <inheritdoc />
    public RequestRisk GetPhonePrefixRisk(ulong digits, DateTimeOffset at) => GetRisk(SubjectKey.ForPhonePrefix(digits), at);

    /// <summary>
    /// The decayed risk of one subject (a phone prefix the request names), from the cache, with the fraud team's lists applied as
    /// for the request's own subjects.
    /// </summary>
    public RequestRisk GetRisk(in SubjectKey subject, DateTimeOffset at)
    {
        if (!_options.Enabled || subject.IsEmpty)
        {
            return RequestRisk.None;
        }

        var lists = _lists?.Current;
        var risk = default(Best);
        Consider(in subject, StateMath.UnixMs(at), lists is { IsEmpty: false } ? lists : null, ref risk);
        return ToRisk(in risk);
    }

    private RequestRisk ToRisk(in Best risk) =>
        risk.Score <= 0 ? RequestRisk.None : new RequestRisk(Math.Round(risk.Score, 1), _options.BandOf(risk.Score), risk.Reason, _options.BandOf(risk.Enforced));

    /// <summary>Folds one subject's cached score into <paramref name="risk"/>, the lists applied: denied pages, allowed adds nothing.</summary>
    private void Consider(in SubjectKey subject, long atMs, FraudListSnapshot? lists, ref Best risk)
    {
        if (subject.IsEmpty)
        {
            return;
        }

        var score = _cache.Get(subject.Kind, subject.Hash64, atMs, out var top, out var enforced);
        if (lists?.Find(subject) is { } entries)
        {
            if (entries.Denied(atMs))
            {
                Deny(ref risk);
                return;
            }

            // Allowed for every rule, or for the rule behind most of its score: the subject adds nothing (the engine takes the
            // allowed rule's points out of its score with its next batch, and the rest counts again).
            if (entries.Allows(top, atMs))
            {
                return;
            }
        }

        if (score > risk.Score)
        {
            risk.Score = score;
            risk.Reason = top;
        }

        if (enforced > risk.Enforced)
        {
            risk.Enforced = enforced;
        }
    }

    private void Deny(ref Best risk)
    {
        var page = Math.Max(_options.PageScore, risk.Score);
        risk.Score = page;
        risk.Enforced = page;
        risk.Reason = ReasonCodes.DenyList;
    }

    private struct Best
    {
        public double Score;
        public double Enforced;
        public string? Reason;
    }
}
