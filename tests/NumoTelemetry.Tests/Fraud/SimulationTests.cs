using System.Globalization;
using System.Text;
using NumoTelemetry.Alerts;
using NumoTelemetry.Fraud.State;
using NumoTelemetry.Records;
using Xunit.Abstractions;

namespace NumoTelemetry.Tests.Fraud;

/// <summary>
/// Detection quality on simulated traffic: every attack scenario detected (with its expected rule on its expected subject), zero alerts
/// on benign users and traps. Precision and recall are printed; the figures are quoted in docs/fraud.md.
/// </summary>
public sealed class SimulationTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(20260302)]
    [InlineData(7)]
    [InlineData(424242)]
    public void Simulation_MixedTrafficWithTrapsAndAttacks_DetectsEveryAttackAndNoTrap(int seed)
    {
        using var harness = new FraudHarness();
        var simulator = new TrafficSimulator(seed);
        var requests = simulator.Generate();
        var owners = new Dictionary<(string Kind, string Subject), TrafficSimulator.Scenario>();
        foreach (var scenario in simulator.Scenarios)
        {
            foreach (var (kind, value) in scenario.Subjects)
            {
                owners[(SubjectKey.KindName(kind), harness.Subject(kind, value).ToString())] = scenario;
            }
        }

        var batch = new List<RequestRecord>(512);
        foreach (var request in requests)
        {
            batch.Add(harness.Record(request));
            if (batch.Count == 512)
            {
                harness.Run([.. batch]);
                batch.Clear();
            }
        }

        harness.Run([.. batch]);
        harness.FlushAlerts();
        var alerts = harness.Alerts.All;

        var truePositives = 0;
        var falsePositives = new List<string>();
        var detected = new HashSet<TrafficSimulator.Scenario>();
        var byScenario = new Dictionary<string, List<FraudAlert>>();
        foreach (var alert in alerts)
        {
            if (owners.TryGetValue((alert.SubjectKind, alert.Subject), out var owner) && owner.IsAttack)
            {
                truePositives++;
                if (Array.IndexOf(owner.Rules, alert.Rule) >= 0)
                {
                    detected.Add(owner);
                }

                (byScenario.TryGetValue(owner.Name, out var list) ? list : byScenario[owner.Name] = []).Add(alert);
            }
            else
            {
                falsePositives.Add($"{alert.Rule} on {alert.SubjectKind} ({owner?.Name ?? "unattributed"}) score {alert.Score:0} evidence {string.Join(", ", alert.Evidence.Select(e => $"{e.Key}={e.Value}"))}");
            }
        }

        var attacks = simulator.Scenarios.Where(s => s.IsAttack).ToList();
        var precision = alerts.Count == 0 ? 1 : (double)truePositives / alerts.Count;
        var recall = (double)detected.Count / attacks.Count;
        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"seed {seed}: {requests.Count:N0} requests, {alerts.Count} alert notifications, {harness.Store.SubjectCount:N0} subjects in state");
        report.AppendLine(CultureInfo.InvariantCulture, $"precision {precision:P1} ({truePositives}/{alerts.Count} notifications on attack subjects), recall {recall:P1} ({detected.Count}/{attacks.Count} attack scenarios detected)");
        foreach (var attack in attacks)
        {
            var rules = byScenario.TryGetValue(attack.Name, out var list) ? string.Join(", ", list.Select(a => $"{a.Rule}/{a.SubjectKind}/{a.Severity}").Distinct()) : "-";
            report.AppendLine(CultureInfo.InvariantCulture, $"  {(detected.Contains(attack) ? "detected" : "MISSED  ")}  {attack.Name}: {rules}");
        }

        foreach (var trap in simulator.Scenarios.Where(s => !s.IsAttack))
        {
            var hits = falsePositives.Count(f => f.Contains(trap.Name, StringComparison.Ordinal));
            report.AppendLine(CultureInfo.InvariantCulture, $"  {(hits == 0 ? "quiet   " : "ALERTED ")}  {trap.Name}");
        }

        foreach (var fp in falsePositives)
        {
            report.AppendLine("  false positive: " + fp);
        }

        output.WriteLine(report.ToString());

        Assert.Empty(falsePositives);
        Assert.All(attacks, a => Assert.Contains(a, detected));
        foreach (var attack in attacks)
        {
            foreach (var (kind, value, rule) in attack.Expected)
            {
                var subject = harness.Subject(kind, value).ToString();
                Assert.Contains(alerts, a => a.Rule == rule && a.Subject == subject && a.SubjectKind == SubjectKey.KindName(kind));
            }
        }
    }
}
