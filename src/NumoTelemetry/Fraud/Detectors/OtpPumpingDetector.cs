using NumoTelemetry.Fraud.State;
using NumoTelemetry.Fraud.Sessions;
using NumoTelemetry.Records;

namespace NumoTelemetry.Fraud.Detectors;

/// <summary>
/// <see cref="ReasonCodes.OtpPumping"/>, <see cref="ReasonCodes.OtpSequential"/> and <see cref="ReasonCodes.OtpNewDestination"/>: see
/// <see cref="OtpPumpingDetectorOptions"/>. The site's conversion (codes entered per code sent) is learned here from the stream, as a
/// weighted mean over hours, so "low" is judged against this site's users rather than a fixed number.
/// </summary>
internal sealed class OtpPumpingDetector(OtpPumpingDetectorOptions options) : FraudDetector
{
    private const double HourWeight = 0.2;

    private long _hour = long.MinValue;
    private long _hourRequests;
    private long _hourVerified;
    private long _seenRequests;
    private double _conversion = -1;

    /// <summary>The site's learned conversion, or the default until enough codes were seen.</summary>
    public double Conversion => _seenRequests >= options.BaselineMinRequests && _conversion > 0 ? _conversion : options.DefaultConversion;

    public override void Evaluate(in RequestRecord record, in AccessPattern pattern, DetectionContext context)
    {
        if (!pattern.OtpRequested && !pattern.OtpVerified)
        {
            return;
        }

        Learn(record.Timestamp, pattern.OtpRequested, pattern.OtpVerified);
        if (!pattern.OtpRequested)
        {
            return;
        }

        var low = Conversion * options.MaxConversionRatio;
        var prefix = SubjectKey.ForPhonePrefix(record.OtpPrefix);
        var unusual = options.UnusualDestinationBelow > 0
            && pattern.OtpSiteHistory >= options.DestinationWarmUpRequests
            && pattern.OtpDestinationHistory < options.UnusualDestinationBelow;
        if (unusual)
        {
            var evidence = default(Evidence);
            evidence.Add("callingCode", SubjectKey.ForPhonePrefix(record.OtpCallingCode).ToString());
            evidence.Add("destinationCodes", pattern.OtpDestinationHistory);
            evidence.Add("historyDays", options.DestinationHistory.TotalDays);
            context.Hit(prefix, ReasonCodes.OtpNewDestination, options.NewDestinationPoints, verdict: false, record.Timestamp, evidence);
        }

        // Per prefix: many codes for many numbers, seldom entered.
        var p = pattern.OtpPrefix;
        var minRequests = unusual ? options.UnusualPrefixMinRequests : options.PrefixMinRequests;
        if (p.Requests >= minRequests && p.Numbers >= options.PrefixMinDistinctNumbers && Rate(p) <= low)
        {
            context.Hit(prefix, ReasonCodes.OtpPumping, context.Escalate(options.Points, p.Requests, minRequests), verdict: true, record.Timestamp, ConversionEvidence(p, low, options, unusual));
        }

        // Consecutive numbers: many numbers per block of 100 (random numbers of a prefix hardly ever share one).
        if (p.Numbers >= options.SequentialMinNumbers && p.Numbers >= options.SequentialNumbersPerBlock * Math.Max(1, pattern.OtpPrefixBlocks))
        {
            var evidence = default(Evidence);
            evidence.Add("distinctNumbers", p.Numbers);
            evidence.Add("distinctBlocksOf100", pattern.OtpPrefixBlocks);
            evidence.Add("requests", p.Requests);
            evidence.Add("verified", p.Verified);
            evidence.Add("windowSeconds", options.Window.TotalSeconds);
            context.Hit(prefix, ReasonCodes.OtpSequential, context.Escalate(options.SequentialPoints, p.Numbers, options.SequentialMinNumbers), verdict: true, record.Timestamp, evidence);
        }

        // Per client: one IP, session or visitor asking for codes for many numbers, seldom entered.
        Client(context, SubjectKey.From(SubjectKind.Ip, record.Ip), pattern.OtpIp, options.ClientMinDistinctNumbers, low, record.Timestamp);
        Client(context, SubjectKey.From(SubjectKind.Session, record.Session), pattern.OtpSession, options.DeviceMinDistinctNumbers, low, record.Timestamp);
        Client(context, SubjectKey.From(SubjectKind.Visitor, record.Visitor), pattern.OtpVisitor, options.DeviceMinDistinctNumbers, low, record.Timestamp);
    }

    private void Client(DetectionContext context, in SubjectKey subject, in OtpCounts counts, int minNumbers, double low, DateTimeOffset at)
    {
        if (subject.IsEmpty || counts.Numbers < minNumbers || counts.Requests < minNumbers || Rate(counts) > low)
        {
            return;
        }

        context.Hit(subject, ReasonCodes.OtpPumping, context.Escalate(options.Points, counts.Numbers, minNumbers), verdict: true, at, ConversionEvidence(counts, low, options, unusual: false));
    }

    private static double Rate(in OtpCounts c) => c.Requests <= 0 ? 1 : Math.Min(1, (double)c.Verified / c.Requests);

    private static Evidence ConversionEvidence(in OtpCounts c, double low, OtpPumpingDetectorOptions options, bool unusual)
    {
        var evidence = default(Evidence);
        evidence.Add("requests", c.Requests);
        evidence.Add("verified", c.Verified);
        evidence.Add("distinctNumbers", c.Numbers);
        evidence.Add("conversion", Math.Round(Rate(c), 3));
        evidence.Add("maxConversion", Math.Round(low, 3));
        evidence.Add("windowSeconds", options.Window.TotalSeconds);
        if (unusual)
        {
            evidence.Add("unusualDestination", 1);
        }

        return evidence;
    }

    /// <summary>Folds one code into the site's conversion: hourly rates, weighted towards recent hours (hours with few codes weigh less).</summary>
    private void Learn(DateTimeOffset at, bool requested, bool verified)
    {
        var hour = at.UtcTicks / TimeSpan.TicksPerHour;
        if (hour != _hour)
        {
            if (_hourRequests > 0)
            {
                var rate = Math.Min(1, (double)_hourVerified / _hourRequests);
                var weight = HourWeight * Math.Min(1, _hourRequests / 20.0);
                _conversion = _conversion < 0 ? rate : _conversion + (weight * (rate - _conversion));
            }

            _hour = hour;
            _hourRequests = 0;
            _hourVerified = 0;
        }

        if (requested)
        {
            _hourRequests++;
            _seenRequests++;
        }

        if (verified)
        {
            _hourVerified++;
        }
    }
}
