using NumoTelemetry.Fraud.State;
using NumoTelemetry.Fraud.Sessions;
using NumoTelemetry.Records;

namespace NumoTelemetry.Fraud.Detectors;

/// <summary>
/// Site-wide anomalies (subject <see cref="SubjectKey.Site"/>): see <see cref="SiteAnomalyDetectorOptions"/>. Counts the stream per
/// minute in a ring, and every minute compares five rates over the window with a baseline learned from earlier hours: the median (and
/// median absolute deviation) of the same hour of day over the last days once there are enough of them, else a weighted mean over all
/// hours. Learned hours are winsorised at <see cref="SiteAnomalyDetectorOptions.MinFactor"/> times the baseline, so an attack does
/// not teach the baseline to expect it. Allocates nothing per record.
/// </summary>
internal sealed class SiteAnomalyDetector : FraudDetector
{
    private const int Ring = 128;
    private const int Requests = 0, Logins = 1, Failures = 2, Recovered = 3, Unknown = 4, Signups = 5, OtpRequested = 6, OtpVerified = 7, NotFound = 8, UnknownRecovered = 9, Counters = 10;
    private const int Measures = 5;
    private const double EwmaWeight = 0.05;

    private static readonly string[] s_reasons =
        [ReasonCodes.SiteLoginFailures, ReasonCodes.SiteUnknownAccountFailures, ReasonCodes.SiteSignups, ReasonCodes.SiteOtpRequests, ReasonCodes.Site404];

    private static readonly string[] s_measures = ["unresolvedLoginFailuresPerLogin", "unknownAccountFailuresPerLogin", "signupsPerRequest", "numbersWithoutEnteredCodePerNumber", "notFoundPerRequest"];

    private readonly SiteAnomalyDetectorOptions _options;
    private readonly long[] _counts = new long[Ring * Counters];
    private readonly long[] _minuteOf = new long[Ring];
    private readonly double[] _history; // [measure][hour][day]
    private readonly int[] _historyCount; // [measure][hour]
    private readonly int[] _historyNext; // [measure][hour]
    private readonly double[] _ewma = new double[Measures];
    private readonly double[] _ewmaDeviation = new double[Measures];
    private readonly int[] _ewmaHours = new int[Measures];
    private readonly double[] _scratch;
    private readonly int _window;
    private readonly int _grace;
    private long _minute = long.MinValue;
    private long _firstMinute = long.MinValue;

    public SiteAnomalyDetector(SiteAnomalyDetectorOptions options)
    {
        _options = options;
        _window = Math.Max(1, (int)options.Window.TotalMinutes);
        _grace = Math.Max(0, (int)options.Grace.TotalMinutes);
        _history = new double[Measures * 24 * options.HistoryDays];
        _historyCount = new int[Measures * 24];
        _historyNext = new int[Measures * 24];
        _scratch = new double[options.HistoryDays];
        Array.Fill(_minuteOf, long.MinValue);
    }

    // Long because: hot path: the per-minute roll, baseline and threshold checks of one record in one pass.
    public override void Evaluate(in RequestRecord record, in AccessPattern pattern, DetectionContext context)
    {
        var minute = record.Timestamp.UtcTicks / TimeSpan.TicksPerMinute;
        if (_firstMinute == long.MinValue)
        {
            _firstMinute = minute;
            _minute = minute;
        }

        if (minute > _minute)
        {
            // Minutes since the last record: learn and judge each completed one (at most a ring's worth after a gap).
            for (var m = Math.Max(_minute + 1, minute - Ring + 1); m <= minute; m++)
            {
                Tick(m, context, record.Timestamp);
            }

            _minute = minute;
        }

        var slot = Slot(Math.Max(minute, _minute - Ring + 1));
        var c = _counts.AsSpan(slot * Counters, Counters);
        c[Requests]++;
        if (record.StatusCode == 404)
        {
            c[NotFound]++;
        }

        if (pattern.LoginFailed || pattern.LoginSucceeded)
        {
            c[Logins]++;
            if (pattern.LoginFailed)
            {
                c[Failures]++;
                c[Unknown] += pattern.UserNeverSeen ? 1 : 0;
            }
            else
            {
                // Failures of this account in the last hour are resolved: its owner got in (a reset, a typo). An account seen for the
                // first time (dormant, outside the profile history) was not an unknown account after all.
                var resolved = Math.Min(pattern.UserFailures, 3);
                c[Recovered] += resolved;
                c[UnknownRecovered] += pattern.UserFirstSeen ? resolved : 0;
            }
        }

        if (pattern.SignUp)
        {
            c[Signups]++;
        }

        // Numbers sent a code (a resend to the same number within the OTP window is not another), and codes entered.
        if (pattern.OtpNumberNew)
        {
            c[OtpRequested]++;
        }

        if (pattern.OtpVerified)
        {
            c[OtpVerified]++;
        }
    }

    /// <summary>The ring slot of <paramref name="minute"/>, cleared when it last held another minute.</summary>
    private int Slot(long minute)
    {
        var slot = (int)(minute & (Ring - 1));
        if (_minuteOf[slot] != minute)
        {
            _minuteOf[slot] = minute;
            Array.Clear(_counts, slot * Counters, Counters);
        }

        return slot;
    }

    /// <summary>Minute <paramref name="now"/> has begun: learn the hour that just became final, then judge the window.</summary>
    private void Tick(long now, DetectionContext context, DateTimeOffset at)
    {
        Slot(now);
        if ((now - _grace) % 60 == 0 && now - _firstMinute >= 60 + _grace)
        {
            Learn(now);
        }

        if (now - _firstMinute < (long)_options.WarmUp.TotalMinutes)
        {
            return;
        }

        var hour = (int)((now / 60) % 24);
        for (var k = 0; k < Measures; k++)
        {
            Observe(k, now, _window, out var x, out var n);
            Judge(k, x, n, hour, context, at);
        }
    }

    /// <summary>Measure <paramref name="k"/> over the <paramref name="length"/> minutes before <paramref name="now"/> (with the grace where it applies).</summary>
    private void Observe(int k, long now, int length, out double x, out double n)
    {
        var graced = k is 0 or 1 or 3;
        var end = graced ? now - _grace : now; // exclusive
        var from = end - length;
        switch (k)
        {
            case 0:
                x = Math.Max(0, Sum(Failures, from, end) - Sum(Recovered, from, now));
                n = Sum(Logins, from, end);
                break;
            case 1:
                x = Math.Max(0, Sum(Unknown, from, end) - Sum(UnknownRecovered, from, now));
                n = Sum(Logins, from, end);
                break;
            case 2:
                x = Sum(Signups, from, end);
                n = Sum(Requests, from, end);
                break;
            case 3:
                // Codes entered typically within a minute or two: verifications counted over the window shifted by half the grace, so
                // in steady traffic the codes entered balance the codes requested and the measure is the share never entered.
                x = Math.Max(0, Sum(OtpRequested, from, end) - Sum(OtpVerified, from + (_grace / 2), end + (_grace / 2)));
                n = Sum(OtpRequested, from, end);
                break;
            default:
                x = Sum(NotFound, from, end);
                n = Sum(Requests, from, end);
                break;
        }
    }

    private long Sum(int counter, long from, long end)
    {
        long total = 0;
        for (var m = Math.Max(from, end - Ring); m < end; m++)
        {
            var slot = (int)(m & (Ring - 1));
            if (_minuteOf[slot] == m)
            {
                total += _counts[(slot * Counters) + counter];
            }
        }

        return total;
    }

    private void Judge(int k, double x, double n, int hour, DetectionContext context, DateTimeOffset at)
    {
        if (n <= 0 || x < _options.MinEvents || !Baseline(k, hour, out var rate, out var spread, out var byHour))
        {
            return;
        }

        var expected = rate * n;
        var margin = _options.Deviations * Math.Max(Math.Sqrt(Math.Max(expected, 1)), spread * n);
        var threshold = Math.Max(Math.Max(rate * _options.MinFactor * n, expected + margin), _options.MinEvents);
        if (x < threshold)
        {
            return;
        }

        var evidence = default(Evidence);
        evidence.Add("measure", s_measures[k]);
        evidence.Add("observed", Math.Round(x / n, 4));
        evidence.Add("expected", Math.Round(rate, 4));
        evidence.Add("observedCount", x);
        evidence.Add("expectedCount", Math.Round(expected, 1));
        evidence.Add("of", n);
        evidence.Add("windowSeconds", _window * 60);
        evidence.Add("baseline", byHour ? "hour-of-day" : "all-hours");
        context.Hit(SubjectKey.Site, s_reasons[k], context.Escalate(_options.Points, x, threshold), verdict: true, at, evidence);
    }

    /// <summary>The expected rate of measure <paramref name="k"/> at <paramref name="hour"/> and its spread; false while warming up.</summary>
    private bool Baseline(int k, int hour, out double rate, out double spread, out bool byHour)
    {
        var cell = (k * 24) + hour;
        var count = _historyCount[cell];
        if (count >= _options.MinHourHistoryDays)
        {
            var values = _scratch.AsSpan(0, count);
            _history.AsSpan(cell * _options.HistoryDays, count).CopyTo(values);
            rate = Median(values);
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = Math.Abs(values[i] - rate);
            }

            spread = 1.4826 * Median(values);
            byHour = true;
            return true;
        }

        byHour = false;
        rate = _ewma[k];
        spread = 1.25 * _ewmaDeviation[k];
        return _ewmaHours[k] >= 3;
    }

    private static double Median(Span<double> values)
    {
        values.Sort();
        var mid = values.Length / 2;
        return values.Length % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
    }

    /// <summary>Learns the hour that ended <see cref="SiteAnomalyDetectorOptions.Grace"/> ago (now final), per measure.</summary>
    private void Learn(long now)
    {
        var end = now - _grace;
        var hour = (int)(((end - 60) / 60) % 24);
        for (var k = 0; k < Measures; k++)
        {
            Observe(k, k is 0 or 1 or 3 ? now : end, 60, out var x, out var n);
            if (n <= 0)
            {
                continue;
            }

            var value = x / n;
            if (_ewmaHours[k] >= 3 && _ewma[k] > 0)
            {
                value = Math.Min(value, _ewma[k] * _options.MinFactor); // winsorised: an attack does not become the baseline
            }

            if (_ewmaHours[k] == 0)
            {
                _ewma[k] = value;
            }
            else
            {
                var weight = EwmaWeight * Math.Min(1, n / 50);
                _ewmaDeviation[k] += weight * (Math.Abs(value - _ewma[k]) - _ewmaDeviation[k]);
                _ewma[k] += weight * (value - _ewma[k]);
            }

            _ewmaHours[k]++;
            var cell = (k * 24) + hour;
            _history[(cell * _options.HistoryDays) + _historyNext[cell]] = value;
            _historyNext[cell] = (_historyNext[cell] + 1) % _options.HistoryDays;
            _historyCount[cell] = Math.Min(_historyCount[cell] + 1, _options.HistoryDays);
        }
    }
}
