using System.Diagnostics.Metrics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using NumoTelemetry.Alerts;
using NumoTelemetry.Fraud;
using NumoTelemetry.Fraud.State;
using NumoTelemetry.Records;

namespace NumoTelemetry.Tests.Fraud;

public sealed class AlertDispatcherTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 6, 0, 0, TimeSpan.Zero);
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly CollectingAlertSink _sink = new();
    private readonly AlertOptions _options = new();
    private readonly FraudOptions _fraud = new();
    private AlertDispatcher? _dispatcher;

    private AlertDispatcher Dispatcher => _dispatcher ??= new AlertDispatcher(_options, _fraud, [_sink], new ScoreBoard(TimeSpan.FromHours(1), 1000), new FraudMetrics(_services.GetRequiredService<IMeterFactory>()), NullLogger.Instance);

    private static SubjectKey Subject(int n)
    {
        Span<byte> hash = stackalloc byte[16];
        BitConverter.TryWriteBytes(hash, (ulong)(n + 1) * 0x9E3779B97F4A7C15UL);
        return SubjectKey.From(SubjectKind.Ip, Pseudonym.FromHash(PseudonymKind.Ip, PseudonymScope.Fraud, 1, hash));
    }

    private void Hit(int subject, DateTimeOffset at, double score = 60, string rule = ReasonCodes.CredentialStuffing)
    {
        var evidence = default(Evidence);
        evidence.Add("failedLogins", 12);
        evidence.Add("country", "FR");
        var hit = new DetectorHit { Subject = Subject(subject), Reason = rule, Points = score, Verdict = true, At = at, Evidence = evidence };
        Dispatcher.Raise(hit, score, _fraud.BandOf(score));
    }

    [Fact]
    public void Raise_ManyHitsWithinGroupWait_OneNotificationWithTheirCount()
    {
        for (var i = 0; i < 10; i++)
        {
            Hit(1, T0 + TimeSpan.FromSeconds(i));
        }

        Dispatcher.Tick(T0 + TimeSpan.FromSeconds(29));
        Assert.Empty(_sink.All);
        Dispatcher.Tick(T0 + TimeSpan.FromSeconds(31));
        var alert = Assert.Single(_sink.All);
        Assert.Equal(10, alert.Count);
        Assert.Equal(T0, alert.FirstSeen);
        Assert.Equal(T0 + TimeSpan.FromSeconds(9), alert.LastSeen);
    }

    [Fact]
    public void Raise_AfterNotification_UpdatesOnlyWhenGrownAndNotBeforeGroupInterval()
    {
        Hit(1, T0);
        Dispatcher.Tick(T0 + TimeSpan.FromSeconds(30));
        Assert.Single(_sink.All);
        Hit(1, T0 + TimeSpan.FromMinutes(1)); // count 2 = double
        Dispatcher.Tick(T0 + TimeSpan.FromMinutes(2));
        Assert.Single(_sink.All); // group interval not over
        Dispatcher.Tick(T0 + TimeSpan.FromMinutes(5.6));
        Assert.Equal(2, _sink.All.Count);
        Assert.Equal(_sink.All[0].Id, _sink.All[1].Id); // one group, one id
        Assert.Equal(2, _sink.All[1].Sequence);
        Hit(1, T0 + TimeSpan.FromMinutes(6)); // 3 < 2 × 2: no update
        Dispatcher.Tick(T0 + TimeSpan.FromMinutes(20));
        Assert.Equal(2, _sink.All.Count);
    }

    [Fact]
    public void Tick_UnchangedGroupStillFiring_RepeatsAfterRepeatInterval()
    {
        for (var i = 0; i < 100; i++)
        {
            Hit(1, T0);
        }

        Dispatcher.Tick(T0 + TimeSpan.FromMinutes(1));
        Assert.Single(_sink.All);
        for (var m = 10; m <= 250; m += 10)
        {
            Hit(1, T0 + TimeSpan.FromMinutes(m));
            Dispatcher.Tick(T0 + TimeSpan.FromMinutes(m));
        }

        Assert.Equal(2, _sink.All.Count); // one repeat after 4 hours
        Assert.True(_sink.All[1].Count > 100);
    }

    [Fact]
    public void Raise_EscalationToPage_UpdatesAfterGroupInterval()
    {
        Hit(1, T0, score: 60);
        Dispatcher.Tick(T0 + TimeSpan.FromMinutes(1));
        Hit(1, T0 + TimeSpan.FromMinutes(2), score: 95);
        Dispatcher.Tick(T0 + TimeSpan.FromMinutes(7));
        Assert.Equal(["alert", "page"], _sink.All.Select(a => a.Severity));
    }

    [Fact]
    public void Raise_MoreGroupsThanTheBound_DropsNewGroups()
    {
        _options.MaxGroups = 5;
        for (var i = 0; i < 10; i++)
        {
            Hit(i, T0);
        }

        Dispatcher.FlushAll(T0 + TimeSpan.FromSeconds(1));
        Assert.Equal(5, _sink.All.Count);
        Assert.Equal(5, Dispatcher.OpenGroups);
    }

    [Fact]
    public void Raise_FloodOfNewSubjectsWhileFull_DropsEachWithoutSearchingTheGroups()
    {
        _options.MaxGroups = 5;
        for (var i = 0; i < 5; i++)
        {
            Hit(i, T0);
        }

        Dispatcher.Tick(T0 + TimeSpan.FromSeconds(31)); // all five sent: idle groups from now on
        Assert.Equal(5, _sink.All.Count);
        var searches = Dispatcher.ExpirySearches;
        for (var i = 5; i < 10_005; i++)
        {
            Hit(i, T0 + TimeSpan.FromMinutes(1) + TimeSpan.FromMilliseconds(i));
        }

        Assert.Equal(5, Dispatcher.OpenGroups);
        Assert.Equal(searches, Dispatcher.ExpirySearches); // none could have expired: no search at all

        Hit(20_000, T0 + TimeSpan.FromHours(4) + TimeSpan.FromSeconds(1)); // the first five idle for longer than the repeat interval
        Assert.Equal(1, Dispatcher.OpenGroups);
        Assert.Equal(searches + 1, Dispatcher.ExpirySearches);
        Dispatcher.Tick(T0 + TimeSpan.FromHours(5));
        Assert.Equal(Subject(20_000).ToString(), _sink.All[^1].Subject);
    }

    [Fact]
    public void Raise_WhileFullOfGroupsWaitingToBeSent_KeepsThemUntilSentThenMakesRoom()
    {
        _options.MaxGroups = 2;
        _options.MaxNotificationsPerMinute = 1;
        Hit(1, T0);
        Hit(2, T0);
        Dispatcher.Tick(T0 + TimeSpan.FromSeconds(31)); // one token: subject 1 or 2 is sent, the other waits
        Assert.Single(_sink.All);

        var late = T0 + TimeSpan.FromHours(5);
        Hit(3, late); // the sent group is idle: it makes room; the waiting one is kept
        Assert.Equal(2, Dispatcher.OpenGroups);
        Hit(4, late); // full again, and the waiting group is not dropped before it is sent
        Assert.Equal(2, Dispatcher.OpenGroups);

        Dispatcher.Tick(late + TimeSpan.FromMinutes(2));
        Dispatcher.Tick(late + TimeSpan.FromMinutes(4)); // one a minute: the waiting group and subject 3
        Assert.Equal(3, _sink.All.Count);
        Assert.DoesNotContain(_sink.All, a => a.Subject == Subject(4).ToString());
    }

    [Fact]
    public void Tick_MoreDueThanTheRate_SendsTheRestLater()
    {
        _options.MaxNotificationsPerMinute = 3;
        for (var i = 0; i < 10; i++)
        {
            Hit(i, T0);
        }

        Dispatcher.Tick(T0 + TimeSpan.FromSeconds(30));
        Assert.Equal(3, _sink.All.Count);
        Dispatcher.Tick(T0 + TimeSpan.FromSeconds(90));
        Assert.Equal(6, _sink.All.Count);
        Dispatcher.Tick(T0 + TimeSpan.FromMinutes(5)); // the bucket holds at most a minute's worth
        Assert.Equal(9, _sink.All.Count);
        Dispatcher.Tick(T0 + TimeSpan.FromMinutes(6));
        Assert.Equal(10, _sink.All.Count);
    }

    [Fact]
    public void Tick_BacklogBeyondTheRate_CountsEachHeldBackNotificationOnce()
    {
        _options.MaxNotificationsPerMinute = 1;
        using var deferred = new MetricCollector<long>(_services.GetRequiredService<IMeterFactory>(), "NumoTelemetry", "numo.alerts.deferred");
        for (var i = 0; i < 100; i++)
        {
            Hit(i, T0);
        }

        for (var s = 30; s <= 90; s++)
        {
            Dispatcher.Tick(T0 + TimeSpan.FromSeconds(s)); // a tick a second, as the pipeline's
        }

        Assert.Equal(2, _sink.All.Count); // one at 30 s, the next a minute later
        Assert.Equal(99, deferred.GetMeasurementSnapshot().EvaluateAsCounter()); // held back once each, not once a tick
    }

    [Fact]
    public void ToJson_Alert_HasExactlyTheDocumentedFields()
    {
        Hit(1, T0);
        Dispatcher.FlushAll(T0);
        using var json = JsonDocument.Parse(Assert.Single(_sink.All).ToJson());
        var names = json.RootElement.EnumerateObject().Select(p => p.Name).ToArray();
        Assert.Equal(["id", "rule", "severity", "score", "subjectKind", "subject", "firstSeen", "lastSeen", "count", "reasons", "evidence"], names);
        Assert.Equal("ip", json.RootElement.GetProperty("subjectKind").GetString());
        Assert.Equal(Subject(1).ToString(), json.RootElement.GetProperty("subject").GetString());
        Assert.Equal("alert", json.RootElement.GetProperty("severity").GetString());
        Assert.Equal(12, json.RootElement.GetProperty("evidence").GetProperty("failedLogins").GetDouble());
        Assert.Equal("FR", json.RootElement.GetProperty("evidence").GetProperty("country").GetString());
        Assert.Equal("2026-03-02T06:00:00.000Z", json.RootElement.GetProperty("firstSeen").GetString());
    }

    [Fact]
    public void FlushAtShutdown_MoreGroupsThanTheRate_SendsTheWorstWithinTheRateAndCountsTheRest()
    {
        _options.MaxNotificationsPerMinute = 10;
        var logger = new Microsoft.Extensions.Logging.Testing.FakeLogger();
        var dispatcher = new AlertDispatcher(_options, _fraud, [_sink], new ScoreBoard(TimeSpan.FromHours(1), 1000), new FraudMetrics(_services.GetRequiredService<IMeterFactory>()), logger);
        for (var i = 0; i < 500; i++)
        {
            var evidence = default(Evidence);
            var score = i % 50 == 0 ? 95 : 60; // 10 groups in the page band
            dispatcher.Raise(new DetectorHit { Subject = Subject(i), Reason = i % 2 == 0 ? ReasonCodes.Burst : ReasonCodes.Scanner, Points = score, Verdict = true, At = T0, Evidence = evidence }, score, _fraud.BandOf(score));
        }

        var dropped = dispatcher.FlushAtShutdown(T0 + TimeSpan.FromSeconds(1));
        Assert.Equal(10, _sink.All.Count);
        Assert.All(_sink.All, a => Assert.Equal("page", a.Severity));
        Assert.Equal(490, dropped);
        var warning = Assert.Single(logger.Collector.GetSnapshot(), r => r.Id.Name == "AlertsDroppedAtShutdown");
        Assert.Contains("490 alert group(s)", warning.Message, StringComparison.Ordinal);
        Assert.Contains(ReasonCodes.Scanner, warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FlushAtShutdown_FewGroups_SendsThemAll()
    {
        Hit(1, T0);
        Hit(2, T0);
        Assert.Equal(0, Dispatcher.FlushAtShutdown(T0 + TimeSpan.FromSeconds(1)));
        Assert.Equal(2, _sink.All.Count);
    }

    [Fact]
    public void FlushAll_EndOfReplay_StillSendsEveryGroup()
    {
        _options.MaxNotificationsPerMinute = 3;
        for (var i = 0; i < 20; i++)
        {
            Hit(i, T0);
        }

        Dispatcher.FlushAll(T0 + TimeSpan.FromSeconds(1));
        Assert.Equal(20, _sink.All.Count);
    }

    public void Dispose() => _services.Dispose();
}
