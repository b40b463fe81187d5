using System.Runtime.CompilerServices;
using NumoTelemetry.Pseudonymization;
using NumoTelemetry.Records;
using NumoTelemetry.UserAgents;

namespace NumoTelemetry.Capture;

/// <summary>
/// Everything the hot path derives from one User-Agent string instance: the redacted parse result, the
/// User-Agent pseudonym. Kestrel reuses a header's
/// string on a connection while its bytes repeat, so a keep-alive client's User-Agent is found here by
/// identity (an object-header hash and a reference compare) instead of being hashed and compared two or
/// three times per request. A different instance with the same text simply takes the full path.
/// </summary>
/// <remarks>
/// Direct-mapped and lock-free without allocating: each slot is guarded by a version number (a seqlock);
/// a reader that races a writer misses, a writer that races a writer gives up. The slots belong to one
/// fraud epoch and key id (the pseudonym's tag): the first request with a newer tag swaps in empty slots,
/// so no raw User-Agent outlives its epoch here.
/// </remarks>
internal sealed class UserAgentMemo
{
    private readonly int _size;
    private Generation? _current;

    public UserAgentMemo(int capacity)
    {
        _size = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Clamp(capacity, 16, 1 << 16));
    }

    public bool TryGet(string userAgent, long tag, out UserAgentInfo info, out Pseudonym id)
    {
        var generation = Volatile.Read(ref _current);
        if (generation is not null && generation.Tag == tag)
        {
            ref var slot = ref generation.Slots[RuntimeHelpers.GetHashCode(userAgent) & generation.Mask];
            var version = Volatile.Read(ref slot.Version);
            if ((version & 1) == 0 && ReferenceEquals(Volatile.Read(ref slot.Raw), userAgent))
            {
                var found = Volatile.Read(ref slot.Info);
                id = slot.Id;

                // The reads above complete before the version is read again (a no-op on x64).
                Volatile.ReadBarrier();
                if (found is not null && Volatile.Read(ref slot.Version) == version)
                {
                    info = found;
                    return true;
                }
            }
        }

        info = null!;
        id = default;
        return false;
    }

    public void Set(string userAgent, long tag, UserAgentInfo info, Pseudonym id)
    {
        if (Current(tag) is not { } generation)
        {
            return; // a request from just before the epoch changed
        }

        ref var slot = ref generation.Slots[RuntimeHelpers.GetHashCode(userAgent) & generation.Mask];
        var version = Volatile.Read(ref slot.Version);
        if ((version & 1) != 0 || Interlocked.CompareExchange(ref slot.Version, version + 1, version) != version)
        {
            return; // another writer holds the slot
        }

        slot.Raw = userAgent;
        slot.Info = info;
        slot.Id = id;
        Volatile.Write(ref slot.Version, version + 2);
    }

    /// <summary>Test hook: whether a live slot holds text equal to <paramref name="userAgent"/>.</summary>
    internal bool Holds(string userAgent)
    {
        if (Volatile.Read(ref _current) is not { } generation)
        {
            return false;
        }

        foreach (var slot in generation.Slots)
        {
            if (string.Equals(slot.Raw, userAgent, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private Generation? Current(long tag) =>
        EpochGeneration.Current(ref _current, tag, _size, static (tag, size) => new Generation(tag, size));

    private struct Slot
    {
        public int Version;
        public string? Raw;
        public UserAgentInfo? Info;
        public Pseudonym Id;
    }

    private sealed class Generation(long tag, int size) : IEpochGeneration
    {
        public long Tag { get; } = tag;

        public int Mask { get; } = size - 1;

        public Slot[] Slots { get; } = new Slot[size];
    }
}
