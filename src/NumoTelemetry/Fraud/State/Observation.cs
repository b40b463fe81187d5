using System.Runtime.InteropServices;
using NumoTelemetry.Records;

namespace NumoTelemetry.Fraud.State;

/// <summary>
/// A fixed-size point-in-time observation kept by <see cref="StateOperationKind.Exchange"/>: where and how a subject
/// was last seen (last login location of an account, network and device of a session). Holds pseudonym hashes and
/// coarse facts only, never a raw value.
/// </summary>
/// <param name="At">When it was observed (record time).</param>
/// <param name="Network">A 64-bit hash of the network (the IP prefix pseudonym's <see cref="Records.Pseudonym.Hash64"/>), 0 if unknown.</param>
/// <param name="Device">A 64-bit hash of the device (the User-Agent pseudonym's hash), 0 if unknown.</param>
/// <param name="Asn">The autonomous system number, 0 if unknown.</param>
/// <param name="Country">The ISO country code packed as two ASCII chars (<c>c0 &lt;&lt; 8 | c1</c>), 0 if unknown.</param>
/// <param name="Latitude">Latitude in degrees (valid when <paramref name="AccuracyKm"/> &gt; 0).</param>
/// <param name="Longitude">Longitude in degrees (valid when <paramref name="AccuracyKm"/> &gt; 0).</param>
/// <param name="AccuracyKm">The location's accuracy radius in km; 0 when no location is known.</param>
/// <param name="Flags">Network flags at the time (anonymous, hosting, ...).</param>
[StructLayout(LayoutKind.Auto)]
public readonly record struct Observation(
    DateTimeOffset At,
    ulong Network,
    ulong Device,
    long Asn,
    ushort Country,
    double Latitude,
    double Longitude,
    int AccuracyKm,
    Records.NetworkFlags Flags)
{
    /// <summary>Whether this is a real observation (the default value means "none").</summary>
    public bool HasValue => At != default;

    /// <summary>Whether a location is known.</summary>
    public bool HasLocation => AccuracyKm > 0;

    /// <summary>
    /// The observation as the state stores keep it: latitude and longitude rounded to a 0.01° grid (0.1° when the accuracy
    /// radius is 50 km or more), the accuracy radius widened by the rounding's largest displacement (1 km, 8 km), so a stored
    /// location is never precise and distances less accuracy (impossible travel) never grow from the rounding.
    /// </summary>
    internal Observation Coarsened()
    {
        if (!HasLocation)
        {
            return this;
        }

        // Half a grid step in latitude and longitude is at most step/2 * 111.2 km * sqrt(2): 0.79 km at 0.01°, 7.9 km at 0.1°.
        var (perDegree, widenKm) = AccuracyKm >= 50 ? (10.0, 8) : (100.0, 1);
        return this with
        {
            Latitude = Math.Round(Latitude * perDegree) / perDegree,
            Longitude = Math.Round(Longitude * perDegree) / perDegree,
            AccuracyKm = AccuracyKm > int.MaxValue - widenKm ? int.MaxValue : AccuracyKm + widenKm,
        };
    }

    /// <summary>Packs an ISO 3166 alpha-2 code; 0 for anything else.</summary>
    public static ushort PackCountry(string? isoCode) =>
        isoCode is { Length: 2 } c && char.IsAsciiLetter(c[0]) && char.IsAsciiLetter(c[1])
            ? (ushort)((char.ToUpperInvariant(c[0]) << 8) | char.ToUpperInvariant(c[1]))
            : (ushort)0;

    /// <summary>Unpacks <see cref="Country"/>; <see langword="null"/> when unknown.</summary>
    public static string? UnpackCountry(ushort country) =>
        country == 0 ? null : string.Create(2, country, static (span, c) =>
        {
            span[0] = (char)(c >> 8);
            span[1] = (char)(c & 0xFF);
        });
}
