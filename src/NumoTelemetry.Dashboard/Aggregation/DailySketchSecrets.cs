using System.Buffers.Binary;
using System.Security.Cryptography;
using NumoTelemetry.Pseudonymization;

namespace NumoTelemetry.Dashboard.Aggregation;

/// <summary>
/// The per-UTC-day secrets under which pseudonyms are hashed (AES-256-CMAC, 64 bits kept) before they enter a
/// distinct-count sketch. A sketch has no false negatives, so a sketch of raw pseudonyms would let anyone holding a
/// pseudonym (or the key deriving it) test which cells its person contributed to. Each day's secret is 32 random
/// bytes, kept in the store while the day is open (so a restart within the day keeps counting the same visitor once)
/// and destroyed, in memory and in the store, once the day is closed: <see cref="Grace"/> after its end, to take
/// records still in the pipeline. From then on that day's sketches can only be counted and merged.
/// </summary>
/// <remarks>
/// Consequence: the same person on two days enters the sketches as two unrelated values, so multi-day visitor figures
/// count distinct person-days (the analytics pseudonym rotates daily anyway); k-anonymity therefore judges a multi-day
/// cell by its busiest day (<c>Aggregate.People</c>). A record reaching the
/// processor after its day closed adds to counters but to no sketch. Runs on the pipeline's single consumer thread.
/// </remarks>
internal sealed class DailySketchSecrets(IDashboardStore store)
{
    /// <summary>How long after the end of a UTC day its secret is kept for late records.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromMinutes(10);

    private const int SecretLength = 32;

    private readonly Dictionary<long, byte[]> _secrets = [];
    private long _lastDay = long.MinValue;
    private AesCmac? _lastFunction;
    private long _deletedBefore = long.MinValue;

    /// <summary>Days before this one (UTC day numbers) are closed: their secrets are destroyed.</summary>
    public long ClosedBefore { get; private set; } = long.MinValue;

    /// <summary>Secrets held in memory.</summary>
    internal int Count => _secrets.Count;

    /// <summary>The first day of a closed day's secret: days whose records may still arrive start here.</summary>
    public static long ClosedBeforeAt(DateTimeOffset now) => (now.UtcTicks - Grace.Ticks) / TimeSpan.TicksPerDay;

    /// <summary>Whether records of <paramref name="day"/> need a secret that is not loaded yet.</summary>
    public bool Needs(long day) => day >= ClosedBefore && day != _lastDay && !_secrets.ContainsKey(day);

    /// <summary>Loads the secret of <paramref name="day"/> from the store, or creates and stores one.</summary>
    /// <exception cref="Exception">The store failed; a secret of this process only is used for the day.</exception>
    public async ValueTask LoadAsync(long day, CancellationToken cancellationToken)
    {
        var candidate = RandomNumberGenerator.GetBytes(SecretLength);
        try
        {
            var stored = await store.GetOrAddDaySecretAsync(DateOnly.FromDayNumber((int)day), candidate, cancellationToken).ConfigureAwait(false);
            if (stored is not { Length: >= 16 })
            {
                throw new InvalidOperationException("The dashboard store returned no usable day secret.");
            }

            _secrets[day] = stored;
            if (!ReferenceEquals(stored, candidate))
            {
                CryptographicOperations.ZeroMemory(candidate);
            }
        }
        catch
        {
            _secrets[day] = candidate;
            throw;
        }
    }

    /// <summary>
    /// Hashes <paramref name="pseudonym"/> under the secret of <paramref name="day"/>; false when the day is closed.
    /// A day never loaded (the store was not asked) gets a secret of this process only.
    /// </summary>
    public bool TryHash(long day, ulong pseudonym, out ulong hashed)
    {
        if (day != _lastDay)
        {
            if (day < ClosedBefore)
            {
                hashed = 0;
                return false;
            }

            if (!_secrets.TryGetValue(day, out var secret))
            {
                secret = RandomNumberGenerator.GetBytes(SecretLength);
                _secrets[day] = secret;
            }

            _lastDay = day;
            _lastFunction?.Dispose();
            _lastFunction = new AesCmac(secret.AsSpan(0, secret.Length >= 32 ? 32 : 16));
        }

        Span<byte> input = stackalloc byte[8];
        Span<byte> output = stackalloc byte[AesCmac.TagSize];
        BinaryPrimitives.WriteUInt64LittleEndian(input, pseudonym);
        _lastFunction!.Compute(input, output);
        hashed = BinaryPrimitives.ReadUInt64LittleEndian(output);
        return true;
    }

    /// <summary>
    /// Closes the days that ended more than <see cref="Grace"/> before <paramref name="now"/>: their secrets are
    /// overwritten in memory at once; <see cref="DeleteClosedAsync"/> deletes them from the store.
    /// </summary>
    public void Advance(DateTimeOffset now)
    {
        var closedBefore = ClosedBeforeAt(now);
        if (closedBefore <= ClosedBefore)
        {
            return;
        }

        ClosedBefore = closedBefore;
        List<long>? closed = null;
        foreach (var (day, secret) in _secrets)
        {
            if (day < closedBefore)
            {
                CryptographicOperations.ZeroMemory(secret);
                (closed ??= []).Add(day);
            }
        }

        if (closed is not null)
        {
            foreach (var day in closed)
            {
                _secrets.Remove(day);
            }
        }

        if (_lastDay < closedBefore)
        {
            _lastDay = long.MinValue;
            _lastFunction?.Dispose(); // its round keys are the closed day's secret, expanded
            _lastFunction = null;
        }
    }

    /// <summary>Whether closed days may still have secrets in the store (at start, every earlier day is assumed to).</summary>
    public bool DeletePending => _deletedBefore < ClosedBefore;

    /// <summary>Deletes the secrets of the closed days from the store.</summary>
    /// <exception cref="Exception">The store failed; the deletion is pending still.</exception>
    public async ValueTask DeleteClosedAsync(CancellationToken cancellationToken)
    {
        var before = ClosedBefore;
        await store.DeleteDaySecretsAsync(DateOnly.FromDayNumber((int)before), cancellationToken).ConfigureAwait(false);
        _deletedBefore = before;
    }
}
