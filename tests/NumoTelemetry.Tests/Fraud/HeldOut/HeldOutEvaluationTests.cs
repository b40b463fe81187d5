// Held-out evaluation of the fraud engine (issue 5: "Detection quality is judged on traffic the project has never seen").
//
// Written as a red team, independently of the detectors: the scenarios, rates and sizes below were designed from a model of real
// traffic before the detectors' thresholds or TrafficSimulator's scenarios were read, and were not tuned to the results. Traffic
// runs through `numo replay`'s own runner (jsonl lines -> RequestFinisher -> FraudProcessor, simulated clock), with an enricher
// standing in for the GeoIP databases and the reverse-DNS crawler check over a made-up world of networks (HeldOutWorld).
//
// Assumptions about real traffic:
// - Consent: the default consent sends no visitor cookie; only ~50-60% of browser users carry a (validly signed) one. Session
//   cookies start at login. Corporate proxies and CGNAT clients carry none.
// - A page view is one document plus 0-3 XHR calls within a second; human think time is log-normal (median 20-90 s), clamped to
//   [0.8 s, 15 min]. Power users open 5-12 tabs within a few seconds. 1-2% of page views are 404 (stale links), some 403.
// - Logins: GET /login, then POST /api/auth/login 3-30 s later (0.4-1.5 s with a password manager); failures are 401 with the
//   attempted user name reported (login_failed). Sessions expire at lunch, so office workers log in twice a day.
// - Mobile carriers put users behind CGNAT (a handful of public IPv4 for hundreds of users); moving Wi-Fi -> cellular changes IP,
//   /24 and AS mid-session, never the UA or the session. Roaming phones exit through the home carrier.
// - Corporate proxies: hundreds of employees on 2 addresses, 80% on one standard browser build, a login rush 08:30-09:30.
// - University NAT: 180 logins within 8 minutes at class start, 15% mistype once, 3% twice, 1% three times.
// - Travellers: LHR->JFK ~8-9 h gate to hotel (5,570 km, ~650 km/h); London->Paris by train 3.5 h. Both plausible.
// - Accounts have history: day 0 holds each account's usual logins (network, device), day 1 the scenarios.
// - Monitors and API clients run from hosting networks at fixed intervals (60 s, 10 s); that regularity is benign.
// - Attacks follow public descriptions of the tooling (OpenBullet/SentryMBA configs with residential proxy pools, sprayers,
//   zgrab/nuclei-style scanners, info-stealer cookie replay): low per-IP rates, rotating UAs, no cookies, real browser UAs.
//
// Attribution: every alert's subject (ip, ip-prefix, session, visitor, user, asn) is mapped back to the requests that used it. An
// alert is a true positive when an attacker's request used its subject, a false alarm when only benign requests did. A scenario is
// detected when at least one true-positive alert touches its attacker traffic; "family" says whether one of the rules an analyst
// would expect fired. Results are in docs/fraud.md ("Held-out evaluation"); misses are recorded there, not tuned away here.
using System.Globalization;
using System.Text;
using NumoTelemetry.Alerts;
using NumoTelemetry.Cli.Replay;
using NumoTelemetry.Pseudonymization;
using Xunit.Abstractions;

namespace NumoTelemetry.Tests.Fraud.HeldOut;

public sealed class HeldOutEvaluationTests(ITestOutputHelper output)
{
    private const int Seed = 7_340_021;

    /// <summary>Bars set after the first measured run (docs/fraud.md, "Held-out evaluation"): 8 of 12 attack scenarios detected,
    /// 8 of 12 by a rule of the expected family, 90% of attacking IPs covered; raised to 10 of 12 and 95% when the long analysis window
    /// (slow crawling and scanning) was added after that run. Any regression fails the test.</summary>
    private const double MinScenarioRecall = 10.0 / 12;
    private const double MinFamilyRecall = 10.0 / 12;
    private const double MinAttackerIpRecall = 0.95;

    /// <summary>
    /// The traps of the issue (carrier-grade NAT, corporate proxy, heavy human user, plausible traveller, mistyping twice) run with
    /// all the other benign traffic but no attack, and must raise no alert at all.
    /// </summary>
    [Fact]
    public void BenignTraffic_Replayed_TrapsRaiseNoAlerts()
    {
        var result = Evaluate(attacks: false);
        output.WriteLine(result.Report);

        foreach (var trap in HeldOutTraffic.Scenarios.Where(static s => s.Trap))
        {
            var alerts = result.FalseAlarms[trap.Name];
            Assert.True(alerts.Count == 0, $"trap {trap.Name} raised {alerts.Count} alerts: {string.Join(", ", alerts.Select(static a => a.Rule + "/" + a.SubjectKind).Distinct())}");
        }
    }

    /// <summary>
    /// Benign traffic and the twelve attacks together. Reports per-scenario detection, alert- and scenario-level precision and
    /// recall, and the false alarms the attacks cause on benign users (collateral, reported, not asserted); asserts the recall bars.
    /// </summary>
    [Fact]
    public void MixedTraffic_Replayed_RecallAtLeastTheBar()
    {
        var result = Evaluate(attacks: true);
        output.WriteLine(result.Report);

        Assert.True(result.ScenarioRecall >= MinScenarioRecall - 1e-9, $"scenario recall {result.ScenarioRecall:P1} below the bar {MinScenarioRecall:P1}");
        Assert.True(result.FamilyRecall >= MinFamilyRecall - 1e-9, $"expected-family recall {result.FamilyRecall:P1} below the bar {MinFamilyRecall:P1}");
        Assert.True(result.AttackerIpRecall >= MinAttackerIpRecall, $"attacker-IP recall {result.AttackerIpRecall:P1} below the bar {MinAttackerIpRecall:P0}");
    }

    private static Evaluation Evaluate(bool attacks)
    {
        // 1. The traffic, and 2. `numo replay` in process over its jsonl, with the world's GeoIP/reverse-DNS facts.
        using var replay = new HeldOutReplay(Seed);
        var traffic = new HeldOutTraffic(Seed, replay.Signer.Issue).Generate(attacks);
        var summary = replay.Run(traffic);
        Assert.Equal(traffic.Count, summary.Replayed);

        // The stand-in for reverse DNS saw the crawler claims (the UA parser names them): 4,500 verified, 2,000 fake.
        Assert.Equal(traffic.Count(static r => r.Scenario == "b-verified-crawlers"), replay.Enricher.Verified);
        Assert.Equal(traffic.Count(static r => r.Scenario == "a-fake-googlebot"), replay.Enricher.Failed);

        // 3. Subjects back to scenarios.
        var subjects = new Dictionary<string, SubjectUse>(StringComparer.Ordinal);
        var attackIps = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var r in traffic)
        {
            foreach (var (kind, subject) in replay.SubjectsOf(r))
            {
                Use(subjects, kind, subject, r);
            }

            if (r.Attack)
            {
                (attackIps.TryGetValue(r.Scenario, out var set) ? set : attackIps[r.Scenario] = new(StringComparer.Ordinal)).Add(r.Ip);
            }
        }

        return Score(replay.Alerts.All, subjects, attackIps, traffic, summary);
    }

    private static void Use(Dictionary<string, SubjectUse> subjects, string kind, string subject, HeldOutRequest r)
    {
        var k = kind + "|" + subject;
        if (!subjects.TryGetValue(k, out var use))
        {
            subjects[k] = use = new SubjectUse();
        }

        if (!r.Attack)
        {
            use.Benign.Add(r.Scenario);
            return;
        }

        if (!use.Attack.TryGetValue(r.Scenario, out var ips))
        {
            use.Attack[r.Scenario] = ips = new(StringComparer.Ordinal);
        }

        ips.Add(r.Ip);
    }

    private static Evaluation Score(
        IReadOnlyList<FraudAlert> alerts,
        Dictionary<string, SubjectUse> subjects,
        Dictionary<string, HashSet<string>> attackIps,
        List<HeldOutRequest> traffic,
        ReplaySummary summary)
    {
        var scenarios = HeldOutTraffic.Scenarios;
        var byName = scenarios.ToDictionary(static s => s.Name);
        var truePositives = scenarios.ToDictionary(static s => s.Name, static _ => new List<FraudAlert>());
        var falseAlarms = scenarios.ToDictionary(static s => s.Name, static _ => new List<FraudAlert>());
        var coveredIps = scenarios.ToDictionary(static s => s.Name, static _ => new HashSet<string>(StringComparer.Ordinal));
        int tp = 0, fp = 0, unknown = 0;
        foreach (var alert in alerts)
        {
            if (!subjects.TryGetValue(alert.SubjectKind + "|" + alert.Subject, out var use))
            {
                unknown++;
                continue;
            }

            if (use.Attack.Count > 0)
            {
                // A subject several attacks share (an AS, a cloud prefix) credits only the attacks that expect the alert's rule.
                tp++;
                foreach (var (s, ips) in use.Attack)
                {
                    if (use.Attack.Count == 1 || byName[s].ExpectedRules.Contains(alert.Rule))
                    {
                        truePositives[s].Add(alert);
                        coveredIps[s].UnionWith(ips);
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
        text.AppendLine(CultureInfo.InvariantCulture, $"Held-out evaluation ({(attackIps.Count > 0 ? "benign and attacks" : "benign only")}), seed {Seed}: {summary.Replayed:N0} requests replayed in {summary.Elapsed.TotalSeconds:0.0} s, {alerts.Count} alerts ({tp} on attacker subjects, {fp} on benign-only subjects, {unknown} unattributed).");
        var requestsByScenario = traffic.GroupBy(static r => r.Scenario).ToDictionary(static g => g.Key, static g => g.Count());
        text.AppendLine();
        text.AppendLine("| scenario | kind | requests | alerts (subjects) | rules | detected | expected family | attacker IPs covered |");
        text.AppendLine("|---|---|---:|---:|---|---|---|---:|");
        var attacks = 0;
        int detected = 0, family = 0, ipsTotal = 0, ipsCovered = 0;
        foreach (var s in scenarios)
        {
            if (!requestsByScenario.TryGetValue(s.Name, out var requests))
            {
                continue;
            }

            if (s.Attack)
            {
                var hits = truePositives[s.Name];
                var ips = attackIps.GetValueOrDefault(s.Name)?.Count ?? 0;
                var covered = coveredIps[s.Name].Count;
                attacks++;
                ipsTotal += ips;
                ipsCovered += covered;
                var isDetected = hits.Count > 0;
                var familyHit = hits.Any(a => s.ExpectedRules.Contains(a.Rule));
                detected += isDetected ? 1 : 0;
                family += familyHit ? 1 : 0;
                text.AppendLine(CultureInfo.InvariantCulture, $"| {s.Name} | attack | {requests:N0} | {hits.Count} ({Distinct(hits)}) | {Rules(hits)} | {(isDetected ? "yes" : "**MISSED**")} | {s.ExpectedFamily}: {(familyHit ? "yes" : "no")} | {covered}/{ips} |");
            }
            else
            {
                var fa = falseAlarms[s.Name];
                text.AppendLine(CultureInfo.InvariantCulture, $"| {s.Name}{(s.Trap ? " (trap)" : "")} | benign | {requests:N0} | {fa.Count} ({Distinct(fa)}) | {Rules(fa)} | {(fa.Count == 0 ? "silent" : "**FALSE ALARM**")} | - | - |");
            }
        }

        var precision = alerts.Count == 0 ? 1.0 : (double)tp / alerts.Count;
        var scenarioRecall = attacks == 0 ? 0 : (double)detected / attacks;
        var familyRecall = attacks == 0 ? 0 : (double)family / attacks;
        var ipRecall = ipsTotal == 0 ? 0 : (double)ipsCovered / ipsTotal;
        var benign = scenarios.Count(static s => !s.Attack);
        var noisyBenign = scenarios.Count(s => !s.Attack && falseAlarms[s.Name].Count > 0);
        var scenarioPrecision = detected + noisyBenign == 0 ? 1.0 : (double)detected / (detected + noisyBenign);
        text.AppendLine();
        if (attacks > 0)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"Alert level: precision {precision:P1} ({tp}/{alerts.Count}); attacker-IP recall {ipRecall:P1} ({ipsCovered}/{ipsTotal} attacking IPs covered by an alert on their IP, prefix, AS, session or account).");
            text.AppendLine(CultureInfo.InvariantCulture, $"Scenario level: recall {scenarioRecall:P1} ({detected}/{attacks} attacks detected), expected-family recall {familyRecall:P1} ({family}/{attacks}); precision {scenarioPrecision:P1} ({noisyBenign}/{benign} benign scenarios raised alerts).");
        }
        else
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"False alarms: {fp} alerts on {noisyBenign} of {benign} benign scenarios.");
        }

        text.AppendLine();
        text.AppendLine("Alerts by rule and subject kind (true positive / false alarm):");
        foreach (var g in alerts.GroupBy(static a => (a.Rule, a.SubjectKind)).OrderBy(static g => g.Key.Rule, StringComparer.Ordinal))
        {
            var t = g.Count(a => subjects.TryGetValue(a.SubjectKind + "|" + a.Subject, out var u) && u.Attack.Count > 0);
            text.AppendLine(CultureInfo.InvariantCulture, $"  {g.Key.Rule} on {g.Key.SubjectKind}: {t} / {g.Count() - t}");
        }

        text.AppendLine();
        text.AppendLine("False alarms by rule and the evidence's cause:");
        foreach (var g in falseAlarms.Values.SelectMany(static l => l).Distinct().GroupBy(static a => a.Rule + (Cause(a) is { } c ? " (stuffingSignalOn=" + c + ")" : "")).OrderByDescending(static g => g.Count()))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {g.Key}: {g.Count()}");
        }

        text.AppendLine();
        text.AppendLine("Alerts on the traps (pseudonyms and aggregates only):");
        foreach (var s in scenarios.Where(static s => s.Trap))
        {
            foreach (var a in falseAlarms[s.Name])
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"  {s.Name}: {a.ToJson()}");
            }
        }

        return new Evaluation(text.ToString(), falseAlarms, scenarioRecall, familyRecall, ipRecall);
    }

    private static string? Cause(FraudAlert alert) =>
        alert.Evidence.FirstOrDefault(static e => e.Key == "stuffingSignalOn").Value is { } v ? Convert.ToString(v, CultureInfo.InvariantCulture) : null;

    private static int Distinct(List<FraudAlert> alerts) => alerts.Select(static a => a.SubjectKind + "|" + a.Subject).Distinct().Count();

    private static string Rules(List<FraudAlert> alerts) => HeldOutReplay.Rules(alerts);

    private sealed class SubjectUse
    {
        /// <summary>The attack scenarios whose attacker traffic used the subject, with the attacking IPs that did.</summary>
        public Dictionary<string, HashSet<string>> Attack { get; } = new(StringComparer.Ordinal);

        public HashSet<string> Benign { get; } = new(StringComparer.Ordinal);
    }

    private sealed record Evaluation(string Report, Dictionary<string, List<FraudAlert>> FalseAlarms, double ScenarioRecall, double FamilyRecall, double AttackerIpRecall);
}
