using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace NumoTelemetry.Dashboard.Query;

/// <summary>
/// Optional differential privacy for released counts: Laplace noise of scale <c>sensitivity / ε</c>, rounded and
/// clamped at zero. The noise of a count is derived from a per-process random key and the count's identity (query and
/// cell), so asking the same question again returns the same answer and averaging repeated queries gains nothing.
/// </summary>
internal sealed class LaplaceNoise
{
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private readonly double _scale;

    public LaplaceNoise(double? epsilon, double sensitivity)
    {
        Enabled = epsilon is > 0;
        _scale = Enabled ? sensitivity / epsilon!.Value : 0;
    }

    public bool Enabled { get; }

    /// <summary>The count with noise added (or unchanged when noise is off).</summary>
    public long Apply(long value, string identity)
    {
        if (!Enabled)
        {
            return value;
        }

        var noisy = value + Sample(identity);
        return Math.Max(0, (long)Math.Round(noisy, MidpointRounding.AwayFromZero));
    }

    /// <summary>A Laplace(0, scale) sample determined by <paramref name="identity"/>.</summary>
    internal double Sample(string identity)
    {
        Span<byte> hash = stackalloc byte[32];
        HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(identity), hash);

        // Uniform in (-0.5, 0.5), never exactly ±0.5.
        var bits = BinaryPrimitives.ReadUInt64LittleEndian(hash) >> 11; // 53 bits
        var u = ((bits + 0.5) / (1UL << 53)) - 0.5;
        return -_scale * Math.Sign(u) * Math.Log(1 - (2 * Math.Abs(u)));
    }
}
