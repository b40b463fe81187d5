using System.Collections.Frozen;
using NumoTelemetry.Fraud.State;

namespace NumoTelemetry.Fraud.Feedback;

/// <summary>
/// The allow and deny lists as of one change, immutable: read lock-free on the request hot path (one volatile read of the
/// snapshot, one frozen-dictionary lookup per subject, nothing allocated) and by the pipeline thread. A change builds a new one.
/// </summary>
internal sealed class FraudListSnapshot
{
    public static readonly FraudListSnapshot Empty = new(0, FrozenDictionary<SubjectKey, SubjectLists>.Empty, [], long.MaxValue);

    private readonly FrozenDictionary<SubjectKey, SubjectLists> _subjects;

    public FraudListSnapshot(long version, FrozenDictionary<SubjectKey, SubjectLists> subjects, HeldEntry[] entries, long nextExpiryMs)
    {
        Version = version;
        _subjects = subjects;
        Entries = entries;
        NextExpiryMs = nextExpiryMs;
        IsEmpty = subjects.Count == 0;
    }

    /// <summary>Grows by one with every change.</summary>
    public long Version { get; }

    /// <summary>Whether no subject is on either list (the hot path then stops at this flag).</summary>
    public bool IsEmpty { get; }

    /// <summary>Every entry held (expired ones too, until the next sweep), with its subject.</summary>
    public HeldEntry[] Entries { get; }

    /// <summary>The earliest expiry of an entry held (Unix ms), <see cref="long.MaxValue"/> for none.</summary>
    public long NextExpiryMs { get; }

    /// <summary>The lists of a subject, or <see langword="null"/>.</summary>
    public SubjectLists? Find(in SubjectKey subject)
    {
        if (IsEmpty || subject.IsEmpty)
        {
            return null;
        }

        return _subjects.TryGetValue(subject, out var lists) ? lists : null;
    }

    /// <summary>Whether <paramref name="subject"/> is allowed for <paramref name="rule"/> (or for every rule) at <paramref name="atMs"/>.</summary>
    public bool Allows(in SubjectKey subject, string rule, long atMs) => Find(subject) is { } lists && lists.Allows(rule, atMs);

    /// <summary>An entry and the subject it names.</summary>
    internal readonly record struct HeldEntry(FraudListEntry Entry, SubjectKey Subject, long UntilMs);
}

/// <summary>The list entries of one subject, as the hot path reads them.</summary>
internal sealed class SubjectLists
{
    public SubjectLists(AllowRule[] allow, long denyUntilMs, string? denyEntryId, string? denyRule)
    {
        Allow = allow;
        DenyUntilMs = denyUntilMs;
        DenyEntryId = denyEntryId;
        DenyRule = denyRule;
    }

    /// <summary>The allow entries: a rule (<see langword="null"/> for every rule) and an expiry (Unix ms; <see cref="long.MaxValue"/> for none).</summary>
    public AllowRule[] Allow { get; }

    /// <summary>Until when the subject is denied (Unix ms; 0 when it is not on the deny list).</summary>
    public long DenyUntilMs { get; }

    /// <summary>The id of the deny entry that lasts longest.</summary>
    public string? DenyEntryId { get; }

    /// <summary>The rule given with that deny entry, if any.</summary>
    public string? DenyRule { get; }

    /// <summary>Whether an allow entry for every rule applies at <paramref name="atMs"/>.</summary>
    public bool AllowsAll(long atMs)
    {
        var allow = Allow;
        for (var i = 0; i < allow.Length; i++)
        {
            if (allow[i].Rule is null && allow[i].UntilMs > atMs)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether an allow entry for <paramref name="rule"/> or for every rule applies at <paramref name="atMs"/>.</summary>
    public bool Allows(string? rule, long atMs)
    {
        var allow = Allow;
        for (var i = 0; i < allow.Length; i++)
        {
            if (allow[i].UntilMs > atMs && (allow[i].Rule is null || string.Equals(allow[i].Rule, rule, StringComparison.Ordinal)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether the subject is denied at <paramref name="atMs"/> (and not allowed for every rule, which wins).</summary>
    public bool Denied(long atMs) => DenyUntilMs > atMs && !AllowsAll(atMs);
}

/// <summary>One allow entry of a subject: its rule (<see langword="null"/> for all) and expiry (Unix ms).</summary>
internal readonly record struct AllowRule(string? Rule, long UntilMs);
