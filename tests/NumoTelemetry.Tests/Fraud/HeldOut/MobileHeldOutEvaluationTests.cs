// Second held-out evaluation: what hurts a mobile-first service (SMS/OTP pumping, low-and-slow attacks seen only site-wide,
// User-Agent-rotating scrapers, fake crawlers), with the issue's traps (marketing spike, forced password reset, night-time lull)
// and the benign OTP traffic a phone-based site has (carrier-grade NAT, slow SMS resends, travellers with foreign numbers).
//
// Written from the issue's text before the new detectors' thresholds existed, and committed before they were tuned; the generator
// (MobileHeldOutTraffic) is not changed to fit the results. Assumptions about the site:
// - A mostly European audience: traffic follows the day (a third of the peak at night), 3 visits a minute at peak; 30% of visits
//   log in, 40% of logins ask for a code by SMS (two-factor) and 92% of codes are entered within 15-90 s; 2% of visits sign up,
//   with a code to verify the number (90% entered). 6% of logins fail once, 1.5% twice; 1% mistype the user name first.
// - Numbers: 70% UK mobiles (+447), 15% France, 10% US, 5% Germany; half of the UK numbers typed in national format (07...), the
//   site's default calling code being 44. Seven days of history precede the evaluation day.
// - Attacks follow public descriptions of SMS pumping (consecutive or random numbers of one premium or foreign range, codes never
//   entered, requests spread over residential proxies), low-and-slow stuffing with combolists (accounts the site never saw), sign-up
//   floods on the API, distributed probing, scrapers rotating User-Agents, and crawlers that claim to be Googlebot.
//
// Attribution: ip, ip-prefix, asn, session, visitor and user alerts map back to the requests that used the subject (as in the first
// held-out set); a phone-prefix alert to the requests whose number starts with it; a site alert to the scenarios running when it
// fired (an attack expecting the rule, running from its start to 15 minutes after its end: a true positive; otherwise a false alarm on
// the benign scenarios running then; attacks are credited to 20 minutes after their end, the site measures' look-back). Delay: from
// the scenario's start to the first hit of its first attributed alert.
using System.Globalization;
using System.Text;
using NumoTelemetry.Alerts;
using NumoTelemetry.Cli.Replay;
using NumoTelemetry.Pseudonymization;
using Xunit.Abstractions;

namespace NumoTelemetry.Tests.Fraud.HeldOut;

public sealed class MobileHeldOutEvaluationTests(ITestOutputHelper output)
{
    private const int Seed = 16_016_016;

    [Fact]
    public void BenignTraffic_Replayed_TrapsRaiseNoAlerts()
    {
        var result = Evaluate(attacks: false);
        output.WriteLine(result.Report);
        foreach (var trap in MobileHeldOutTraffic.Scenarios.Where(static s => s.Trap))
        {
            var alerts = result.FalseAlarms[trap.Name];
            Assert.True(alerts.Count == 0, $"trap {trap.Name} raised {alerts.Count} alerts: {string.Join(", ", alerts.Select(static a => a.Rule + "/" + a.SubjectKind).Distinct())}");
        }
    }

    [Fact]
    public void MixedTraffic_Replayed_ReportsRecallAndDelay()
    {
        var result = Evaluate(attacks: true);
        output.WriteLine(result.Report);
        Assert.True(result.Detected >= MinDetected, $"{result.Detected} attack scenarios detected, below the bar {MinDetected}");
    }

    /// <summary>The bar: attack scenarios detected (of 8), as measured (docs/fraud.md, "Held-out evaluation 2"); a regression fails.</summary>
    private const int MinDetected = 8;

    private static Evaluation Evaluate(bool attacks)
    {
        using var replay = new HeldOutReplay(Seed);
        var traffic = new MobileHeldOutTraffic(Seed, replay.Signer.Issue).Generate(attacks);
        var summary = replay.Run(traffic, new Dictionary<string, string?> { ["NumoTelemetry:Capture:DefaultCountryCallingCode"] = "44" });
        Assert.Equal(traffic.Count, summary.Replayed);

        var subjects = new Dictionary<string, SubjectUse>(StringComparer.Ordinal);
        var phones = new List<(string Digits, HeldOutRequest Request)>();
        Span<char> e164 = stackalloc char[16];
        foreach (var r in traffic)
        {
            foreach (var (kind, subject) in replay.SubjectsOf(r))
            {
                Use(subjects, kind, subject, r);
            }

            if (r.Phone is not null)
            {
                var n = IdentifierNormalizer.NormalizePhone(r.Phone, "44", e164);
                if (n > 0)
                {
                    phones.Add((e164[..n].ToString(), r));
                }
            }
        }

        return Score(replay.Alerts.All, subjects, phones, traffic, summary);
    }

    private static void Use(Dictionary<string, SubjectUse> subjects, string kind, string subject, HeldOutRequest r)
    {
        var k = kind + "|" + subject;
        if (!subjects.TryGetValue(k, out var use))
        {
            subjects[k] = use = new SubjectUse();
        }

        (r.Attack ? use.Attack : use.Benign).Add(r.Scenario);
    }

    /// <summary>The scenarios whose requests used an alert's subject (attack and benign).</summary>
    private static SubjectUse? UseOf(FraudAlert alert, Dictionary<string, SubjectUse> subjects, List<(string Digits, HeldOutRequest Request)> phones)
    {
        switch (alert.SubjectKind)
        {
            case "phone-prefix":
            {
                var use = new SubjectUse();
                foreach (var (digits, r) in phones)
                {
                    if (("+" + digits).StartsWith(alert.Subject, StringComparison.Ordinal))
                    {
                        (r.Attack ? use.Attack : use.Benign).Add(r.Scenario);
                    }
                }

                return use;
            }

            case "site":
            {
                var use = new SubjectUse();
                foreach (var s in MobileHeldOutTraffic.Scenarios)
                {
                    // A site alert's notification is attributed by its latest hit (a group can outlive one scenario and go on in another),
                    // to the scenarios running then or in the 20 minutes before (the site measures look back a 15-minute window ending up
                    // to 5 minutes ago).
                    var running = alert.LastSeen >= s.From && alert.LastSeen <= s.To.AddMinutes(20);
                    if (!running)
                    {
                        continue;
                    }

                    if (s.Attack && s.ExpectedRules.Contains(alert.Rule))
                    {
                        use.Attack.Add(s.Name);
                    }
                    else if (!s.Attack)
                    {
                        use.Benign.Add(s.Name);
                    }
                }

                return use;
            }

            default:
                return subjects.GetValueOrDefault(alert.SubjectKind + "|" + alert.Subject);
        }
    }

    private static Evaluation Score(IReadOnlyList<FraudAlert> alerts, Dictionary<string, SubjectUse> subjects, List<(string Digits, HeldOutRequest Request)> phones, List<HeldOutRequest> traffic, ReplaySummary summary)
    {
        var scenarios = MobileHeldOutTraffic.Scenarios;
        var byName = scenarios.ToDictionary(static s => s.Name);
        var truePositives = scenarios.ToDictionary(static s => s.Name, static _ => new List<FraudAlert>());
        var falseAlarms = scenarios.ToDictionary(static s => s.Name, static _ => new List<FraudAlert>());
        int tp = 0, fp = 0, unknown = 0;
        foreach (var alert in alerts)
        {
            var use = UseOf(alert, subjects, phones);
            if (use is null || (use.Attack.Count == 0 && use.Benign.Count == 0))
            {
                unknown++;
                continue;
            }

            if (use.Attack.Count > 0)
            {
                // A subject several attacks share (an AS) credits only the attacks that expect the alert's rule.
                tp++;
                foreach (var s in use.Attack)
                {
                    if (use.Attack.Count == 1 || byName[s].ExpectedRules.Contains(alert.Rule))
                    {
                        truePositives[s].Add(alert);
                    }
                }
            }
            else
            {
                fp++;
                foreach (var s in use.Benign)
                {
                    falseAlarms[s].Add(alert);
                }
            }
        }

        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Mobile held-out evaluation ({(traffic.Any(static r => r.Attack) ? "benign and attacks" : "benign only")}), seed {Seed}: {summary.Replayed:N0} requests in {summary.Elapsed.TotalSeconds:0.0} s, {alerts.Count} alerts ({tp} on attacker subjects, {fp} false alarms, {unknown} unattributed).");
        text.AppendLine();
        text.AppendLine("| scenario | kind | requests | alerts | rules | detected | delay | precision |");
        text.AppendLine("|---|---|---:|---:|---|---|---:|---:|");
        var requests = traffic.GroupBy(static r => r.Scenario).ToDictionary(static g => g.Key, static g => g.Count());
        int attacks = 0, detected = 0;
        foreach (var s in scenarios)
        {
            if (!requests.TryGetValue(s.Name, out var count) && s.Name != "t-night-lull")
            {
                continue;
            }

            if (s.Attack)
            {
                attacks++;
                var hits = truePositives[s.Name];
                var expected = hits.Where(a => s.ExpectedRules.Contains(a.Rule)).ToList();
                var isDetected = hits.Count > 0;
                detected += isDetected ? 1 : 0;
                // Detected at the first hit on or after the scenario's start (a group opened earlier by another scenario counts from its
                // first notification whose latest hit is in this one).
                var delay = isDetected ? hits.Select(a => a.FirstSeen >= s.From ? a.FirstSeen : a.LastSeen).Where(t => t >= s.From).DefaultIfEmpty(DateTimeOffset.MaxValue).Min() - s.From : (TimeSpan?)null;
                // Of the alerts raised while the attack ran (to 15 minutes after it), the share about it: its own, against false alarms.
                var during = falseAlarms.Values.SelectMany(static l => l).Distinct().Count(a => a.LastSeen >= s.From && a.LastSeen <= s.To.AddMinutes(20));
                var precision = hits.Count + during == 0 ? 1.0 : (double)hits.Count / (hits.Count + during);
                text.AppendLine(CultureInfo.InvariantCulture, $"| {s.Name} | attack | {count:N0} | {hits.Count} | {Rules(hits)} | {(isDetected ? (expected.Count > 0 ? "yes" : "yes (other rule)") : "**MISSED**")} | {(delay is { } d && d < TimeSpan.FromDays(1) ? $"{d.TotalMinutes:0.0} min" : "-")} | {precision:P0} |");
            }
            else
            {
                var fa = falseAlarms[s.Name];
                text.AppendLine(CultureInfo.InvariantCulture, $"| {s.Name}{(s.Trap ? " (trap)" : "")} | benign | {count:N0} | {fa.Count} | {Rules(fa)} | {(fa.Count == 0 ? "silent" : "**FALSE ALARM**")} | - | - |");
            }
        }

        text.AppendLine();
        var alertPrecision = alerts.Count == 0 ? 1.0 : (double)tp / alerts.Count;
        text.AppendLine(CultureInfo.InvariantCulture, $"Alert precision {alertPrecision:P1} ({tp}/{alerts.Count}); scenario recall {detected}/{attacks}.");
        text.AppendLine();
        text.AppendLine("Alerts by rule and subject kind (true positive / false alarm):");
        foreach (var g in alerts.GroupBy(static a => (a.Rule, a.SubjectKind)).OrderBy(static g => g.Key.Rule, StringComparer.Ordinal))
        {
            var t = g.Count(a => UseOf(a, subjects, phones) is { Attack.Count: > 0 });
            text.AppendLine(CultureInfo.InvariantCulture, $"  {g.Key.Rule} on {g.Key.SubjectKind}: {t} / {g.Count() - t}");
        }

        text.AppendLine();
        text.AppendLine("False alarms (aggregates only):");
        foreach (var a in falseAlarms.Values.SelectMany(static l => l).Distinct().Take(40))
        {
            text.AppendLine(a.ToJson());
        }

        return new Evaluation(text.ToString(), falseAlarms, detected);
    }

    private static string Rules(List<FraudAlert> alerts) => HeldOutReplay.Rules(alerts);

    private sealed class SubjectUse
    {
        public HashSet<string> Attack { get; } = new(StringComparer.Ordinal);

        public HashSet<string> Benign { get; } = new(StringComparer.Ordinal);
    }

    private sealed record Evaluation(string Report, Dictionary<string, List<FraudAlert>> FalseAlarms, int Detected);
}
