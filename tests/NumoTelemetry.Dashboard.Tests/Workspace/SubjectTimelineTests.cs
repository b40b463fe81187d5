using Microsoft.Extensions.Time.Testing;
using NumoTelemetry.Dashboard.Workspace;
using NumoTelemetry.Fraud.State;
using NumoTelemetry.Pseudonymization;
using NumoTelemetry.Records;
using static NumoTelemetry.Dashboard.Tests.Infrastructure.TestRecords;

namespace NumoTelemetry.Dashboard.Tests.Workspace;

/// <summary>The subjects' in-memory timelines: per-subject rings, the subject cap (counted when full) and the retention.</summary>
public sealed class SubjectTimelineTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Process_ManyRequests_KeepsTheNewestPerSubjectNewestFirst()
    {
        var time = new FakeTimeProvider(T0);
        using var timeline = Timeline(time, o => o.TimelineRequestsPerSubject = 3);
        var records = Enumerable.Range(0, 5).Select(i => View(T0.AddSeconds(i), "a", route: "/r" + i, session: "s1")).ToArray();

        await timeline.ProcessAsync(records, default);

        var ip = timeline.Read(SubjectKey.From(SubjectKind.Ip, Pseudonym(PseudonymKind.Ip, PseudonymScope.Fraud, "a")));
        var session = timeline.Read(SubjectKey.From(SubjectKind.Session, Pseudonym(PseudonymKind.Session, PseudonymScope.Fraud, "s1")));
        Assert.Equal(["/r4", "/r3", "/r2"], ip.Select(e => e.Route));
        Assert.Same(ip[0], session[0]); // one entry, shared by the request's subjects
        Assert.Empty(timeline.Read(SubjectKey.From(SubjectKind.Ip, Pseudonym(PseudonymKind.Ip, PseudonymScope.Fraud, "other"))));
    }

    [Fact]
    public async Task Process_MoreSubjectsThanTheCap_DropsTheLeastRecentlySeenAndCountsThem()
    {
        var time = new FakeTimeProvider(T0);
        using var timeline = Timeline(time, o => o.TimelineSubjects = 100);

        // 60 addresses, then the first again (recently seen), then 60 more: 121 IP subjects for 100 places.
        await timeline.ProcessAsync(Enumerable.Range(0, 60).Select(i => View(T0, "ip" + i)).ToArray(), default);
        await timeline.ProcessAsync(new[] { View(T0, "ip0") }, default);
        await timeline.ProcessAsync(Enumerable.Range(60, 60).Select(i => View(T0, "ip" + i)).ToArray(), default);

        Assert.Equal(100, timeline.Count);
        Assert.Equal(20, timeline.Evicted);
        Assert.NotEmpty(timeline.Read(Ip("ip0")));
        Assert.Empty(timeline.Read(Ip("ip1")));
        Assert.Empty(timeline.Read(Ip("ip20")));
        Assert.NotEmpty(timeline.Read(Ip("ip21")));
        Assert.NotEmpty(timeline.Read(Ip("ip119")));
    }

    [Fact]
    public async Task Read_AfterRetention_ShowsNothingAndTheSweepFreesTheSubject()
    {
        var time = new FakeTimeProvider(T0);
        using var timeline = Timeline(time, o => o.TimelineRetention = TimeSpan.FromHours(1));
        await timeline.ProcessAsync(new[] { View(T0, "old") }, default);

        time.Advance(TimeSpan.FromMinutes(61));

        Assert.Empty(timeline.Read(Ip("old")));
        await timeline.ProcessAsync(new[] { View(time.GetUtcNow(), "new") }, default);
        Assert.Equal(1, timeline.Count); // "old" swept, not counted as an eviction
        Assert.Equal(0, timeline.Evicted);
    }

    [Fact]
    public async Task Process_WithoutFraudPolicy_KeepsNothing()
    {
        var time = new FakeTimeProvider(T0);
        using var timeline = Timeline(time, o => o.FraudPolicy = null);

        await timeline.ProcessAsync(new[] { View(T0, "a") }, default);

        Assert.Equal(0, timeline.Count);
    }

    private static SubjectKey Ip(string id) => SubjectKey.From(SubjectKind.Ip, Pseudonym(PseudonymKind.Ip, PseudonymScope.Fraud, id));

    private static SubjectTimeline Timeline(TimeProvider time, Action<DashboardOptions> configure)
    {
        var options = new DashboardOptions { FraudPolicy = "Investigators" };
        configure(options);
        return new SubjectTimeline(Microsoft.Extensions.Options.Options.Create(options), time);
    }
}
