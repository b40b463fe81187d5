using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NumoTelemetry.Fraud.Detectors;
using NumoTelemetry.Fraud.State;
using NumoTelemetry.Internal;
using NumoTelemetry.Pseudonymization;
using NumoTelemetry.Records;

namespace NumoTelemetry.Fraud.Feedback;

/// <summary>
/// <see cref="IFraudFeedback"/>: validates entries (pseudonyms only), writes them to the fleet's store when there is one, then to
/// this node's <see cref="FraudListBook"/>, which the hot path and the fraud engine read.
/// </summary>
internal sealed class FraudFeedback : IFraudFeedback
{
    private const int MaxIdLength = 64;
    private const int MaxRuleLength = 64;
    private const int MaxByLength = 200;

    private readonly FraudListBook _book;
    private readonly FraudMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly IFraudListReplica? _replica;
    private readonly FraudDetectorInfo[] _detectors;
    private readonly ConcurrentDictionary<string, DetectorMode> _ruleModes = new(StringComparer.Ordinal);

    public FraudFeedback(IOptions<NumoTelemetryOptions> options, FraudListBook book, FraudMetrics metrics, TimeProvider time, ILoggerFactory loggerFactory, IFraudListReplica? replica = null)
    {
        var fraud = options.Value.Fraud;
        _book = book;
        _metrics = metrics;
        _time = time;
        _logger = loggerFactory.CreateLogger<FraudFeedback>();
        _replica = replica;
        _detectors = DescribeDetectors(fraud);
        foreach (var detector in _detectors)
        {
            foreach (var rule in detector.Rules)
            {
                _ruleModes.TryAdd(rule, detector.Mode);
            }
        }

        metrics.SetListSource(book);
        replica?.Attach(new ListCopy(book, metrics));
    }

    public IReadOnlyList<FraudDetectorInfo> Detectors => _detectors;

    internal FraudListBook Book => _book;

    internal FraudMetrics Metrics => _metrics;

    public DetectorMode ModeOfRule(string rule) =>
        rule is not null && _ruleModes.TryGetValue(rule, out var mode) ? mode : DetectorMode.Enforce;

    /// <summary>A rule as a metric tag: a rule a detector raises, or <c>other</c> (the set of tag values stays bounded whatever a caller sends).</summary>
    internal string TagRule(string rule) => _ruleModes.ContainsKey(rule) || rule == ReasonCodes.DenyList ? rule : "other";

    /// <summary>Learns the mode of a rule from a detector's hit (detectors the catalogue does not list).</summary>
    internal void LearnRule(string rule, DetectorMode mode) => _ruleModes.TryAdd(rule, mode);

    public async ValueTask<FraudListEntry> AddAsync(FraudListEntry entry, CancellationToken cancellationToken = default)
    {
        var (stored, subject) = Normalize(entry, _time.GetUtcNow());
        if (_replica is not null)
        {
            await PutReplicaAsync(stored, onlyIfAbsent: false, cancellationToken).ConfigureAwait(false);
        }

        if (!_book.Put(stored, subject))
        {
            throw Full();
        }

        _metrics.ListChanged(stored.List, "add");
        Log.FraudListChanged(_logger, ListName(stored.List), "add", stored.Id, SubjectKey.KindName(stored.SubjectKind), stored.Rule ?? "*");
        return stored;
    }

    public async ValueTask<bool> RemoveAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        var stored = false;
        if (_replica is not null)
        {
            try
            {
                stored = await _replica.RemoveAsync(id, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                throw Unreachable(ex);
            }
        }

        var removed = _book.Remove(id);
        if (removed is null && !stored)
        {
            return false;
        }

        var list = removed?.List ?? FraudListKind.Allow;
        _metrics.ListChanged(list, "remove");
        Log.FraudListChanged(_logger, ListName(list), "remove", id, removed is null ? "-" : SubjectKey.KindName(removed.SubjectKind), removed?.Rule ?? "*");
        return true;
    }

    public async ValueTask<FraudListEntry?> MarkAsync(FraudVerdict verdict, SubjectKind subjectKind, string subject, string rule, DateTimeOffset? expires = null, string? by = null, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(rule))
        {
            throw new ArgumentException("A verdict names the rule of the alert.", nameof(rule));
        }

        if (verdict == FraudVerdict.FalsePositive)
        {
            var entry = await AddAsync(
                new FraudListEntry { List = FraudListKind.Allow, SubjectKind = subjectKind, Subject = subject, Rule = rule, Expires = expires, CreatedBy = by, Source = FraudListSource.FalsePositive },
                cancellationToken).ConfigureAwait(false);
            _metrics.FalsePositive(TagRule(entry.Rule!));
            return entry;
        }

        if (verdict != FraudVerdict.ConfirmedFraud)
        {
            throw new ArgumentOutOfRangeException(nameof(verdict), "Not a verdict.");
        }

        var (probe, key) = Normalize(new FraudListEntry { SubjectKind = subjectKind, Subject = subject, Rule = rule }, _time.GetUtcNow());
        _metrics.Confirmed(TagRule(probe.Rule!));
        foreach (var held in _book.Current.Entries)
        {
            if (held.Entry.Source == FraudListSource.FalsePositive && held.Subject == key && string.Equals(held.Entry.Rule, probe.Rule, StringComparison.Ordinal))
            {
                await RemoveAsync(held.Entry.Id, cancellationToken).ConfigureAwait(false);
            }
        }

        return null;
    }

    public IReadOnlyList<FraudListEntry> GetEntries(FraudListKind? list = null)
    {
        var now = _time.GetUtcNow();
        var entries = _book.Current.Entries;
        var result = new List<FraudListEntry>(entries.Length);
        foreach (var held in entries)
        {
            if ((list is null || held.Entry.List == list) && held.Entry.IsActive(now))
            {
                result.Add(held.Entry);
            }
        }

        return result;
    }

    public async ValueTask<int> LoadAsync(IEnumerable<FraudListEntry> entries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var now = _time.GetUtcNow();
        var loaded = 0;
        foreach (var entry in entries)
        {
            FraudListEntry stored;
            SubjectKey subject;
            try
            {
                if (entry is null || string.IsNullOrEmpty(entry.Id))
                {
                    throw new ArgumentException("An entry to load has its id.");
                }

                (stored, subject) = Normalize(entry, now);
            }
            catch (ArgumentException)
            {
                _metrics.ListChanged(entry?.List ?? FraudListKind.Allow, "load_skipped");
                continue;
            }

            if (_book.Contains(stored.Id))
            {
                continue;
            }

            if (_replica is not null && !await PutReplicaAsync(stored, onlyIfAbsent: true, cancellationToken).ConfigureAwait(false))
            {
                continue; // the fleet holds it already (and told this node)
            }

            if (_book.Put(stored, subject))
            {
                loaded++;
            }
            else
            {
                _metrics.ListChanged(stored.List, "load_skipped");
            }
        }

        return loaded;
    }

    /// <summary>Drops expired entries from this node's book (and the fleet's store); called by the fraud engine.</summary>
    internal void Sweep(DateTimeOffset now)
    {
        var expired = _book.Sweep(now.ToUnixTimeMilliseconds());
        if (expired is null)
        {
            return;
        }

        foreach (var entry in expired)
        {
            _metrics.ListChanged(entry.List, "expire");
            if (_replica is not null)
            {
                _ = ExpireInReplicaAsync(entry.Id);
            }
        }
    }

    private async Task ExpireInReplicaAsync(string id)
    {
        try
        {
            await _replica!.RemoveAsync(id, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _metrics.Error("feedback_store");
            Log.FraudListStoreFailed(_logger, ex.GetType().Name);
        }
    }

    private async ValueTask<bool> PutReplicaAsync(FraudListEntry entry, bool onlyIfAbsent, CancellationToken cancellationToken)
    {
        int stored;
        try
        {
            stored = await _replica!.PutAsync(entry, onlyIfAbsent, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw Unreachable(ex);
        }

        if (stored < 0)
        {
            throw Full();
        }

        return stored > 0;
    }

    private InvalidOperationException Full() =>
        new($"The fraud lists hold {_book.Capacity} entries, the most NumoTelemetry:Fraud:MaxListEntries allows; remove some first.");

    private InvalidOperationException Unreachable(Exception ex)
    {
        _metrics.Error("feedback_store");
        Log.FraudListStoreFailed(_logger, ex.GetType().Name);
        return new InvalidOperationException("The fleet's fraud list store could not be reached; nothing was changed. Try again.", ex);
    }

    /// <summary>
    /// Checks an entry and fills in what is left to the engine (id, creation time). The messages never repeat the subject: a
    /// hostile or mistaken caller may have put a raw value there.
    /// </summary>
    internal static (FraudListEntry Entry, SubjectKey Subject) Normalize(FraudListEntry entry, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (entry.List is not (FraudListKind.Allow or FraudListKind.Deny))
        {
            throw new ArgumentException("The list is allow or deny.", nameof(entry));
        }

        if (!TryParseSubject(entry.SubjectKind, entry.Subject, out var subject))
        {
            throw new ArgumentException(
                $"The subject is not a {SubjectKey.KindName(entry.SubjectKind)} pseudonym as alerts spell it (k{{keyId}}.{{base64url}}, or an AS number for asn). Lists hold pseudonyms, never raw values: look a raw value up with numo pseudonymize.",
                nameof(entry));
        }

        var rule = string.IsNullOrWhiteSpace(entry.Rule) ? null : entry.Rule.Trim();
        if (rule is not null && !IsToken(rule, MaxRuleLength, allowUpper: false))
        {
            throw new ArgumentException($"The rule is a reason code such as {ReasonCodes.Burst}: lower-case letters, digits and '-', at most {MaxRuleLength} characters.", nameof(entry));
        }

        var id = string.IsNullOrEmpty(entry.Id) ? NewId() : entry.Id;
        if (!IsToken(id, MaxIdLength, allowUpper: true))
        {
            throw new ArgumentException($"An entry id is letters, digits and '_-.:', at most {MaxIdLength} characters.", nameof(entry));
        }

        if (entry.Expires is { } expires && expires <= now)
        {
            throw new ArgumentException("The entry has already expired.", nameof(entry));
        }

        var by = entry.CreatedBy;
        if (by is { Length: > MaxByLength })
        {
            by = by[..MaxByLength];
        }

        var stored = new FraudListEntry
        {
            Id = id,
            List = entry.List,
            SubjectKind = entry.SubjectKind,
            Subject = subject.ToString(),
            Rule = rule,
            Expires = entry.Expires,
            Created = entry.Created == default ? now : entry.Created,
            CreatedBy = by,
            Source = entry.Source,
        };
        return (stored, subject);
    }

    /// <summary>Parses a subject as alerts spell it.</summary>
    internal static bool TryParseSubject(SubjectKind kind, string? text, out SubjectKey subject)
    {
        subject = default;
        if (string.IsNullOrEmpty(text) || text.Length > SubjectKey.MaxTextLength)
        {
            return false;
        }

        if (kind == SubjectKind.Asn)
        {
            if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var asn) || asn <= 0 || asn > uint.MaxValue)
            {
                return false;
            }

            subject = SubjectKey.ForAsn(asn);
            return true;
        }

        var pseudonymKind = SubjectKey.PseudonymKindOf(kind);
        if (pseudonymKind == PseudonymKind.None || !Pseudonym.TryParse(text, pseudonymKind, PseudonymScope.Fraud, out var pseudonym))
        {
            return false;
        }

        subject = SubjectKey.From(kind, pseudonym);
        return !subject.IsEmpty;
    }

    private static bool IsToken(string text, int maxLength, bool allowUpper)
    {
        if (text.Length is 0 || text.Length > maxLength)
        {
            return false;
        }

        foreach (var c in text)
        {
            var ok = c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'
                || (allowUpper && c is (>= 'A' and <= 'Z') or '_' or '.' or ':');
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    private static string NewId()
    {
        Span<byte> random = stackalloc byte[15];
        RandomNumberGenerator.Fill(random);
        return "fl_" + Base64Url.EncodeToString(random);
    }

    internal static string ListName(FraudListKind list) => list == FraudListKind.Deny ? "deny" : "allow";

    private static FraudDetectorInfo[] DescribeDetectors(FraudOptions fraud)
    {
        var running = DetectorSet.CreateEnabled(fraud);
        var enabled = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var detector in running)
        {
            enabled.Add(DetectorCatalog.NameOf(detector));
        }

        var names = DetectorCatalog.Names();
        var result = new FraudDetectorInfo[names.Count];
        for (var i = 0; i < names.Count; i++)
        {
            var mode = enabled.Contains(names[i]) ? DetectorCatalog.ConfiguredMode(fraud, names[i]) : DetectorMode.Off;
            result[i] = new FraudDetectorInfo(names[i], mode, DetectorCatalog.RulesOf(names[i]));
        }

        return result;
    }

    /// <summary>The node's list book and its counters, as a fleet replica sees them.</summary>
    private sealed class ListCopy(FraudListBook book, FraudMetrics metrics) : IFraudListCopy
    {
        public void ReplaceAll(IReadOnlyList<(FraudListEntry Entry, SubjectKey Subject)> entries) => book.ReplaceAll(entries);

        public bool Put(FraudListEntry entry, in SubjectKey subject)
        {
            if (book.Put(entry, subject))
            {
                return true;
            }

            metrics.ListChanged(entry.List, "load_skipped");
            return false;
        }

        public void Remove(string id) => book.Remove(id);

        public void CountStoreError() => metrics.Error("feedback_store");
    }
}
