using System.Buffers.Binary;
using System.Globalization;
using NumoTelemetry.Fraud.State;
using NumoTelemetry.Records;
using StackExchange.Redis;

namespace NumoTelemetry.Redis;

/// <summary>
/// Turns state operations into the arguments of <c>Scripts/apply.lua</c> and its reply into <see cref="StateResult"/>s.
/// Bucket and generation indexes, register index and rank (<see cref="StateMath.DistinctRegisterOf"/>) are computed here (64-bit
/// integer arithmetic), so the script
/// only handles numbers below 2^53. Pipeline thread only (reuses its buffers).
/// </summary>
internal sealed class StateScriptCodec(string prefix)
{
    /// <summary>Allowance for clocks: record time and the server's wall clock (which runs TTLs) may differ a little.</summary>
    internal static readonly long TtlSlackMs = 60_000;

    /// <summary>Bytes of a packed <see cref="Observation"/>.</summary>
    internal const int ObservationBytes = 56;

    private readonly Dictionary<string, int> _keyIndex = new(StringComparer.Ordinal);
    private readonly List<RedisKey> _keys = new();
    private readonly List<RedisValue> _values = new();
    private long _maxTtl;
    private static readonly RedisValue Increment = "I";
    private static readonly RedisValue Distinct = "D";
    private static readonly RedisValue Timing = "T";
    private static readonly RedisValue Exchange = "X";
    private static readonly RedisValue Member = "M";
    private static readonly RedisValue Score = "S";

    public string Prefix { get; } = prefix;

    /// <summary>The key of a subject's feature: <c>{prefix}:{kind}:{subject}:{name}</c>.</summary>
    public string KeyOf(in StateOperation op) =>
        string.Concat(Prefix, ":", SubjectKey.KindName(op.Subject.Kind), ":", op.Subject.ToString(), ":", FraudFeatures.WireName(op.Feature));

    /// <summary>The key that marks script call <paramref name="callId"/> as applied: <c>{prefix}:applied:{id}</c>.</summary>
    public string AppliedKeyOf(string callId) => string.Concat(Prefix, ":applied:", callId);

    /// <summary>
    /// Encodes one script call's operations (empty subjects are skipped, as the in-memory store does). <c>KEYS[1]</c> and
    /// <c>ARGV[1]</c> are the call's applied marker and its TTL (the longest of the call's TTLs): a call sent again under the
    /// same <paramref name="callId"/> (a replay of a call that timed out but ran) changes nothing.
    /// </summary>
    // Long because: one switch over the operation kinds, each encoding its own script arguments.
    public (RedisKey[] Keys, RedisValue[] Values) Encode(string callId, ReadOnlySpan<StateOperation> operations)
    {
        _keyIndex.Clear();
        _keys.Clear();
        _values.Clear();
        _keys.Add(AppliedKeyOf(callId));
        _values.Add(0);
        _maxTtl = TtlSlackMs;
        for (var i = 0; i < operations.Length; i++)
        {
            ref readonly var op = ref operations[i];
            if (op.Subject.IsEmpty)
            {
                continue;
            }

            var key = KeyOf(in op);
            if (!_keyIndex.TryGetValue(key, out var index))
            {
                _keys.Add(key);
                index = _keys.Count; // Lua is 1-based; KEYS[1] is the applied marker
                _keyIndex.Add(key, index);
            }

            var atMs = StateMath.UnixMs(op.At);
            var windowMs = Math.Max(1, (long)op.Window.TotalMilliseconds);
            switch (op.Kind)
            {
                case StateOperationKind.Increment:
                {
                    var bucketMs = StateMath.CounterBucketMs(op.Window);
                    Add(Increment, index, StateMath.Bucket(atMs, bucketMs), op.Amount);
                    _values.Add(Ttl(windowMs + bucketMs));
                    break;
                }

                case StateOperationKind.AddDistinct:
                {
                    var generationMs = StateMath.GenerationMs(op.Window);
                    Add(Distinct, index, StateMath.Bucket(atMs, generationMs), 0);
                    _values[^1] = ElementBytes(op.Element);
                    _values.Add(StateMath.DistinctRegisterOf(op.Element, out var rank));
                    _values.Add((int)rank);
                    _values.Add(Ttl(windowMs + generationMs));
                    break;
                }

                case StateOperationKind.ObserveTiming:
                    Add(Timing, index, atMs, windowMs);
                    _values.Add(Ttl(windowMs));
                    break;

                case StateOperationKind.Exchange:
                    Add(Exchange, index, atMs, windowMs);
                    _values.Add(Pack(op.Observation.Coarsened())); // never a precise location in Redis
                    _values.Add(Ttl(windowMs));
                    break;

                case StateOperationKind.AddMember:
                    Add(Member, index, atMs, windowMs);
                    _values.Add(ElementBytes(op.Element));
                    _values.Add(Ttl(windowMs));
                    break;

                case StateOperationKind.AddScore:
                    Add(Score, index, atMs, windowMs);
                    _values.Add(op.Reason ?? string.Empty);
                    _values.Add(op.Points.ToString("R", CultureInfo.InvariantCulture));
                    _values.Add(Ttl(8 * windowMs));
                    break;

                default:
                    throw new InvalidOperationException("Unknown state operation kind " + ((int)op.Kind).ToString(CultureInfo.InvariantCulture) + ".");
            }
        }

        _values[0] = _maxTtl;
        return ([.. _keys], [.. _values]);
    }

    /// <summary>Fills <paramref name="results"/> from one script call's reply (operations in the same order as encoded).</summary>
    public static void Decode(ReadOnlySpan<StateOperation> operations, RedisResult reply, Span<StateResult> results)
    {
        var values = (RedisResult[])reply!;
        var p = 0;
        for (var i = 0; i < operations.Length; i++)
        {
            ref readonly var op = ref operations[i];
            ref var result = ref results[i];
            result = default;
            if (op.Subject.IsEmpty)
            {
                continue;
            }

            switch (op.Kind)
            {
                case StateOperationKind.Increment:
                    result.Count = (long)values[p++];
                    break;

                case StateOperationKind.AddDistinct:
                case StateOperationKind.AddMember:
                {
                    var packed = (long)values[p++];
                    result.Count = packed >> 1;
                    result.IsNew = (packed & 1) != 0;
                    break;
                }

                case StateOperationKind.ObserveTiming:
                    result.Count = (long)values[p++];
                    result.Mean = ParseDouble(values[p++]);
                    result.Variation = StateMath.Variation(result.Mean, ParseDouble(values[p++]));
                    break;

                case StateOperationKind.Exchange:
                    result.Previous = Unpack((byte[]?)values[p++]);
                    break;

                case StateOperationKind.AddScore:
                {
                    result.Score = ParseDouble(values[p++]);
                    var top = (string?)values[p++];
                    result.TopReason = string.IsNullOrEmpty(top) ? null : string.Equals(top, op.Reason, StringComparison.Ordinal) ? op.Reason : string.IsInterned(top) ?? top;
                    break;
                }
            }
        }
    }

    internal static byte[] Pack(in Observation o)
    {
        var bytes = new byte[ObservationBytes];
        var span = bytes.AsSpan();
        BinaryPrimitives.WriteInt64LittleEndian(span, o.At == default ? 0 : o.At.UtcTicks);
        BinaryPrimitives.WriteUInt64LittleEndian(span[8..], o.Network);
        BinaryPrimitives.WriteUInt64LittleEndian(span[16..], o.Device);
        BinaryPrimitives.WriteInt64LittleEndian(span[24..], o.Asn);
        BinaryPrimitives.WriteUInt16LittleEndian(span[32..], o.Country);
        BinaryPrimitives.WriteDoubleLittleEndian(span[34..], o.Latitude);
        BinaryPrimitives.WriteDoubleLittleEndian(span[42..], o.Longitude);
        BinaryPrimitives.WriteInt32LittleEndian(span[50..], o.AccuracyKm);
        BinaryPrimitives.WriteUInt16LittleEndian(span[54..], (ushort)o.Flags);
        return bytes;
    }

    internal static Observation Unpack(ReadOnlySpan<byte> span)
    {
        if (span.Length != ObservationBytes)
        {
            return default;
        }

        var ticks = BinaryPrimitives.ReadInt64LittleEndian(span);
        return new Observation(
            ticks == 0 ? default : new DateTimeOffset(ticks, TimeSpan.Zero),
            BinaryPrimitives.ReadUInt64LittleEndian(span[8..]),
            BinaryPrimitives.ReadUInt64LittleEndian(span[16..]),
            BinaryPrimitives.ReadInt64LittleEndian(span[24..]),
            BinaryPrimitives.ReadUInt16LittleEndian(span[32..]),
            BinaryPrimitives.ReadDoubleLittleEndian(span[34..]),
            BinaryPrimitives.ReadDoubleLittleEndian(span[42..]),
            BinaryPrimitives.ReadInt32LittleEndian(span[50..]),
            (NetworkFlags)BinaryPrimitives.ReadUInt16LittleEndian(span[54..]));
    }

    private static RedisValue ElementBytes(ulong element)
    {
        if (element == 0)
        {
            return RedisValue.EmptyString;
        }

        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, element);
        return bytes;
    }

    private RedisValue Ttl(long relevantMs)
    {
        var ttl = relevantMs + TtlSlackMs;
        _maxTtl = Math.Max(_maxTtl, ttl);
        return ttl;
    }

    private static double ParseDouble(RedisResult value) =>
        double.TryParse((string?)value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : 0;

    private void Add(RedisValue kind, int keyIndex, long a, long b)
    {
        _values.Add(kind);
        _values.Add(keyIndex);
        _values.Add(a);
        _values.Add(b);
    }
}
