using NumoTelemetry.Internal;
using NumoTelemetry.Pseudonymization;
using NumoTelemetry.Records;
using NumoTelemetry.UserAgents;

namespace NumoTelemetry.Capture;

/// <summary>
/// Everything the hot path derives from one User-Agent text: the redacted parse result, the User-Agent pseudonym and the start
/// of the cookieless visitor's keyed hash (<see cref="Pseudonymizer.CookielessVisitorPrefix"/>). A site's visitors use a few
/// dozen browsers, so a request nearly always finds its User-Agent here by text (a hash and a compare) instead of parsing it
/// and hashing it under two keys.
/// </summary>
/// <remarks>
/// A <see cref="BoundedCache{TKey, TValue}"/> per fraud epoch and key id (the User-Agent pseudonym's tag): the first
/// request with a newer tag swaps in an empty one, so no raw User-Agent outlives its epoch here. The visitor prefix carries
/// its own analytics tag (a day); a request on a later day computes it again and replaces the facts.
/// </remarks>
internal sealed class UserAgentMemo
{
    private readonly int _size;
    private Generation? _current;

    public UserAgentMemo(int capacity)
    {
        _size = capacity;
    }

    /// <summary>The facts held for <paramref name="userAgent"/>'s text under <paramref name="tag"/>.</summary>
    public bool TryGet(string userAgent, long tag, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out UserAgentFacts? facts)
    {
        var generation = Volatile.Read(ref _current);
        if (generation is not null && generation.Tag == tag && generation.Facts.TryGet(new UserAgentText(userAgent), out facts))
        {
            return true;
        }

        facts = null;
        return false;
    }

    /// <summary>Holds <paramref name="facts"/> for <paramref name="userAgent"/>'s text under <paramref name="tag"/> (nothing for a stale tag).</summary>
    public void Set(string userAgent, long tag, UserAgentFacts facts)
    {
        if (Current(tag) is { } generation)
        {
            generation.Facts.Set(new UserAgentText(userAgent), facts);
        }
    }

    /// <summary>Test hook: whether the current generation holds facts for <paramref name="userAgent"/>'s text.</summary>
    internal bool Holds(string userAgent) =>
        Volatile.Read(ref _current) is { } generation && generation.Facts.TryGet(new UserAgentText(userAgent), out _);

    private Generation? Current(long tag) =>
        EpochGeneration.Current(ref _current, tag, _size, static (tag, size) => new Generation(tag, size));

    private sealed class Generation(long tag, int size) : IEpochGeneration
    {
        public long Tag { get; } = tag;

        public BoundedCache<UserAgentText, UserAgentFacts> Facts { get; } = new(size);
    }

    /// <summary>A User-Agent as a cache key: compared by text (the same instance first), hashed with the process's string hash.</summary>
    private readonly struct UserAgentText(string text) : IEquatable<UserAgentText>
    {
        private readonly string _text = text;

        public bool Equals(UserAgentText other) =>
            ReferenceEquals(_text, other._text) || string.Equals(_text, other._text, StringComparison.Ordinal);

        public override bool Equals(object? obj) => obj is UserAgentText other && Equals(other);

        public override int GetHashCode() => string.GetHashCode(_text.AsSpan());
    }
}

/// <summary>What the capture derives from one User-Agent text under one fraud tag (see <see cref="UserAgentMemo"/>).</summary>
/// <param name="Info">The redacted parse result.</param>
/// <param name="Id">The User-Agent pseudonym.</param>
/// <param name="Visitor">The cookieless visitor's start, under the analytics tag it names (the day the facts were made or last renewed).</param>
internal sealed record UserAgentFacts(UserAgentInfo Info, Pseudonym Id, Pseudonymizer.VisitorPrefix Visitor);
