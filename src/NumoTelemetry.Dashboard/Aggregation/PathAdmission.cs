using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using NumoTelemetry.Pseudonymization;

namespace NumoTelemetry.Dashboard.Aggregation;

/// <summary>
/// Decides, per UTC day, which real paths (<c>/products/4711</c>) the dashboard may count under their own name: a path
/// is admitted once <c>k</c> distinct people (day-hashed pseudonyms) visited it that day; until then its views count
/// under the route template only. Memory holds no path text for paths not admitted: a candidate is a keyed 64-bit hash
/// of the path (per-process random key, renewed each day) with up to k − 1 day-hashed pseudonyms, and the path's text
/// first reaches the store when the k-th person's view is counted. Candidates are bounded; when full, the oldest is
/// forgotten (its people start again).
/// </summary>
internal sealed class PathAdmission(int k, int maxCandidates)
{
    private readonly Dictionary<ulong, Candidate> _candidates = [];
    private readonly HashSet<ulong> _admitted = [];
    private readonly Queue<ulong> _order = new();
    private AesCmac _key = NewKey();
    private long _day = -1;

    /// <summary>Paths waiting for more people (for tests).</summary>
    public int CandidateCount => _candidates.Count;

    /// <summary>Whether <paramref name="path"/> may be counted under its own name; counts <paramref name="subject"/> toward it.</summary>
    public bool Admit(string path, long ticks, bool hasSubject, ulong subject)
    {
        var day = ticks / TimeSpan.TicksPerDay;
        if (day != _day)
        {
            _candidates.Clear();
            _admitted.Clear();
            _order.Clear();
            _key.Dispose();
            _key = NewKey();
            _day = day;
        }

        var hash = Hash(path);
        if (_admitted.Contains(hash))
        {
            return true;
        }

        if (!hasSubject)
        {
            return false;
        }

        ref var candidate = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_candidates, hash, out var exists);
        if (!exists)
        {
            candidate.People = new ulong[Math.Max(1, k - 1)];
            _order.Enqueue(hash);
        }

        for (var i = 0; i < candidate.Count; i++)
        {
            if (candidate.People[i] == subject)
            {
                return false;
            }
        }

        if (candidate.Count + 1 >= k)
        {
            _candidates.Remove(hash);
            _admitted.Add(hash);
            return true;
        }

        candidate.People[candidate.Count++] = subject;
        while (_candidates.Count > maxCandidates && _order.TryDequeue(out var oldest))
        {
            _candidates.Remove(oldest);
        }

        return false;
    }

    private ulong Hash(string path)
    {
        var max = Encoding.UTF8.GetMaxByteCount(path.Length);
        Span<byte> buffer = max <= 512 ? stackalloc byte[max] : new byte[max];
        var length = Encoding.UTF8.GetBytes(path, buffer);
        Span<byte> mac = stackalloc byte[AesCmac.TagSize];
        _key.Compute(buffer[..length], mac);
        return BinaryPrimitives.ReadUInt64LittleEndian(mac);
    }

    private static AesCmac NewKey()
    {
        Span<byte> key = stackalloc byte[32];
        RandomNumberGenerator.Fill(key);
        var cmac = new AesCmac(key);
        CryptographicOperations.ZeroMemory(key);
        return cmac;
    }

    private struct Candidate
    {
        public ulong[] People;
        public int Count;
    }
}
