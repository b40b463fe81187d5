using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using NumoTelemetry.Fraud.State;
using NumoTelemetry.Pipeline;
using NumoTelemetry.Pseudonymization;
using NumoTelemetry.Records;

namespace NumoTelemetry.Dashboard.Workspace;

/// <summary>
/// The subjects' recent requests for the investigators' timelines: a processor of the pseudonymised stream keeping, per
/// subject (IP, prefix, session, visitor, user, AS), a ring of its last <see cref="DashboardOptions.TimelineRequestsPerSubject"/>
/// requests, in memory only. Bounded: at most <see cref="DashboardOptions.TimelineSubjects"/> subjects, the least recently seen
/// going first when full (counted in <c>numo.dashboard.timeline.evictions</c>); requests older than
/// <see cref="DashboardOptions.TimelineRetention"/> are dropped. Written on the pipeline thread, read by requests under one lock.
/// </summary>
internal sealed class SubjectTimeline : IRequestRecordProcessor, IDisposable
{
    private readonly object _gate = new();
    private readonly Dictionary<SubjectKey, Ring> _subjects = new();
    private readonly LinkedList<Ring> _recency = new();
    private readonly int _maxSubjects;
    private readonly int _perSubject;
    private readonly TimeSpan _retention;
    private readonly TimeProvider _time;
    private readonly Meter? _meter;
    private readonly bool _enabled;
    private long _evicted;
    private long _sweptAtMs;

    public SubjectTimeline(IOptions<DashboardOptions> options, TimeProvider time, IMeterFactory? meterFactory = null)
    {
        var o = options.Value;
        _maxSubjects = o.TimelineSubjects;
        _perSubject = o.TimelineRequestsPerSubject;
        _retention = o.TimelineRetention;
        _time = time;
        _enabled = !string.IsNullOrWhiteSpace(o.FraudPolicy);
        if (meterFactory is not null)
        {
            _meter = meterFactory.Create(NumoTelemetry.Metrics.NumoTelemetryMeter.Name);
            _meter.CreateObservableCounter(
                "numo.dashboard.timeline.evictions",
                () => Evicted,
                unit: "{subject}",
                description: "Subjects whose timeline was dropped from memory because the timeline was full (NumoTelemetry:Dashboard:TimelineSubjects).");
            _meter.CreateObservableUpDownCounter(
                "numo.dashboard.timeline.subjects",
                () => (long)Count,
                unit: "{subject}",
                description: "Subjects with a timeline in memory.");
        }
    }

    /// <summary>Subjects dropped because the timeline was full.</summary>
    public long Evicted => Interlocked.Read(ref _evicted);

    /// <summary>Subjects held.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _subjects.Count;
            }
        }
    }

    public ValueTask ProcessAsync(ReadOnlyMemory<RequestRecord> batch, CancellationToken cancellationToken)
    {
        if (!_enabled)
        {
            return ValueTask.CompletedTask; // no workspace: no timelines
        }

        var records = batch.Span;
        lock (_gate)
        {
            for (var i = 0; i < records.Length; i++)
            {
                Add(in records[i]);
            }

            Sweep(_time.GetUtcNow());
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>The subject's requests within the retention, newest first.</summary>
    public IReadOnlyList<TimelineEntry> Read(in SubjectKey subject)
    {
        var cutoff = _time.GetUtcNow() - _retention;
        lock (_gate)
        {
            if (!_subjects.TryGetValue(subject, out var ring))
            {
                return [];
            }

            var list = new List<TimelineEntry>(ring.Count);
            for (var i = 0; i < ring.Count; i++)
            {
                var entry = ring.Newest(i);
                if (entry.At >= cutoff)
                {
                    list.Add(entry);
                }
            }

            return list;
        }
    }

    /// <summary>
    /// The requests that carried <paramref name="phone"/> (a phone number is not a subject of its own: a raw-value lookup of one
    /// finds the subjects of the requests that carried it), newest first, at most <paramref name="max"/>. Scans every ring.
    /// </summary>
    public IReadOnlyList<TimelineEntry> FindByPhone(in Pseudonym phone, int max)
    {
        var cutoff = _time.GetUtcNow() - _retention;
        var found = new HashSet<TimelineEntry>(ReferenceEqualityComparer.Instance);
        lock (_gate)
        {
            foreach (var ring in _subjects.Values)
            {
                for (var i = 0; i < ring.Count && found.Count < max; i++)
                {
                    var entry = ring.Newest(i);
                    if (entry.At >= cutoff && entry.Phone == phone)
                    {
                        found.Add(entry);
                    }
                }
            }
        }

        var list = new List<TimelineEntry>(found);
        list.Sort(static (a, b) => b.At.CompareTo(a.At));
        return list;
    }

    public void Dispose() => _meter?.Dispose();

    private void Add(in RequestRecord record)
    {
        var entry = new TimelineEntry
        {
            At = record.Timestamp,
            Method = record.Method,
            Route = record.Route,
            Status = record.StatusCode,
            Browser = record.UserAgent.Browser.Family,
            Os = record.UserAgent.Os.Family,
            Bot = record.UserAgent.SyntheticType,
            Country = record.Geo?.CountryIsoCode,
            Asn = record.Geo?.Asn,
            AsnOrganization = record.Geo?.AsnOrganization,
            Risk = record.Risk,
            Enforced = record.Enforced,
            Signals = Signals(in record),
            Ip = record.Ip,
            IpPrefix = record.IpPrefix,
            Session = record.Session,
            Visitor = record.Visitor,
            User = record.User,
            Phone = record.Phone,
        };
        Append(SubjectKey.From(SubjectKind.Ip, record.Ip), entry);
        Append(SubjectKey.From(SubjectKind.IpPrefix, record.IpPrefix), entry);
        Append(SubjectKey.From(SubjectKind.Session, record.Session), entry);
        Append(SubjectKey.From(SubjectKind.Visitor, record.Visitor), entry);
        Append(SubjectKey.From(SubjectKind.User, entry.User), entry);
        if (entry.Asn is { } asn)
        {
            Append(SubjectKey.ForAsn(asn), entry);
        }
    }

    private static (SignalKindName, string?)[] Signals(in RequestRecord record)
    {
        var signals = record.Signals;
        if (signals.IsEmpty)
        {
            return [];
        }

        var result = new (SignalKindName, string?)[signals.Length];
        for (var i = 0; i < signals.Length; i++)
        {
            result[i] = (new SignalKindName(signals[i].Kind), signals[i].Name);
        }

        return result;
    }

    private void Append(in SubjectKey subject, TimelineEntry entry)
    {
        if (subject.IsEmpty)
        {
            return;
        }

        if (_subjects.TryGetValue(subject, out var ring))
        {
            _recency.Remove(ring.Node);
            _recency.AddLast(ring.Node);
        }
        else
        {
            if (_subjects.Count >= _maxSubjects && _recency.First is { } oldest)
            {
                Remove(oldest.Value);
                Interlocked.Increment(ref _evicted);
            }

            ring = new Ring(subject, _perSubject);
            _subjects.Add(subject, ring);
            _recency.AddLast(ring.Node);
        }

        ring.Add(entry);
    }

    /// <summary>Drops the subjects whose newest request is past the retention (least recently seen first), once a minute at most.</summary>
    private void Sweep(DateTimeOffset now)
    {
        var nowMs = now.ToUnixTimeMilliseconds();
        if (nowMs - _sweptAtMs < 60_000)
        {
            return;
        }

        _sweptAtMs = nowMs;
        var cutoff = now - _retention;
        while (_recency.First is { } oldest && oldest.Value.Newest(0).At < cutoff)
        {
            Remove(oldest.Value);
        }
    }

    private void Remove(Ring ring)
    {
        _recency.Remove(ring.Node);
        _subjects.Remove(ring.Subject);
    }

    private sealed class Ring
    {
        private readonly TimelineEntry[] _entries;
        private int _next;

        public Ring(SubjectKey subject, int capacity)
        {
            Subject = subject;
            _entries = new TimelineEntry[capacity];
            Node = new LinkedListNode<Ring>(this);
        }

        public SubjectKey Subject { get; }

        public LinkedListNode<Ring> Node { get; }

        public int Count { get; private set; }

        public void Add(TimelineEntry entry)
        {
            _entries[_next] = entry;
            _next = (_next + 1) % _entries.Length;
            Count = Math.Min(Count + 1, _entries.Length);
        }

        /// <summary>The <paramref name="index"/>-th newest entry (0 the newest).</summary>
        public TimelineEntry Newest(int index) => _entries[(_next - 1 - index + (2 * _entries.Length)) % _entries.Length];
    }
}
