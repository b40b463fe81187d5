using NumoTelemetry.Fraud.Sessions;
using NumoTelemetry.Fraud.State;
using NumoTelemetry.Records;

namespace NumoTelemetry.Fraud.Detectors;

/// <summary>
/// <see cref="ReasonCodes.SessionHijack"/>: a session seen from a different network (another IP prefix, and another AS or country when
/// known) and a different User-Agent than its previous request. See <see cref="SessionHijackDetectorOptions"/>.
/// </summary>
internal sealed class SessionHijackDetector(SessionHijackDetectorOptions options) : FraudDetector
{
    public override void Evaluate(in RequestRecord record, in AccessPattern pattern, DetectionContext context)
    {
        var previous = pattern.PreviousSession;
        if (!previous.HasValue || previous.Network == 0 || previous.Device == 0 || record.IpPrefix.IsEmpty || record.UserAgentId.IsEmpty)
        {
            return;
        }

        var current = AccessPatternTracker.Observe(record);
        if (current.Network == previous.Network || current.Device == previous.Device)
        {
            return;
        }

        var asnKnown = current.Asn != 0 && previous.Asn != 0;
        var countryKnown = current.Country != 0 && previous.Country != 0;
        if ((asnKnown || countryKnown) && !(asnKnown && current.Asn != previous.Asn) && !(countryKnown && current.Country != previous.Country))
        {
            return; // same AS and country: a new address within the same provider
        }

        var evidence = default(Evidence);
        evidence.Add("secondsSincePrevious", Math.Round((record.Timestamp - previous.At).TotalSeconds));
        evidence.Add("previousCountry", Observation.UnpackCountry(previous.Country));
        evidence.Add("country", Observation.UnpackCountry(current.Country));
        evidence.Add("previousAsn", previous.Asn);
        evidence.Add("asn", current.Asn);
        evidence.Add("ip", record.Ip.ToString());
        context.Hit(SubjectKey.From(SubjectKind.Session, record.Session), ReasonCodes.SessionHijack, options.Points, verdict: true, record.Timestamp, evidence);
    }
}
