using NumoTelemetry.Fraud.Sessions;
using NumoTelemetry.Fraud.State;
using NumoTelemetry.Records;

namespace NumoTelemetry.Fraud.Detectors;

/// <summary>
/// <see cref="ReasonCodes.ImpossibleTravel"/>: consecutive successful logins of one account whose great-circle distance, less both
/// accuracy radii, needs a speed above <see cref="ImpossibleTravelDetectorOptions.MaxSpeedKmh"/>.
/// </summary>
internal sealed class ImpossibleTravelDetector(ImpossibleTravelDetectorOptions options) : FraudDetector
{
    private const double EarthRadiusKm = 6371.0088;
    private const NetworkFlags Anonymising = NetworkFlags.Anonymous | NetworkFlags.AnonymousVpn | NetworkFlags.Hosting | NetworkFlags.PublicProxy | NetworkFlags.ResidentialProxy | NetworkFlags.TorExitNode;

    public override void Evaluate(in RequestRecord record, in AccessPattern pattern, DetectionContext context)
    {
        var previous = pattern.PreviousLogin;
        var geo = record.Geo;
        if (!pattern.LoginSucceeded || !previous.HasLocation || geo is not { HasLocation: true })
        {
            return;
        }

        if (options.SkipAnonymousNetworks && ((previous.Flags & Anonymising) != 0 || (geo.Flags & Anonymising) != 0))
        {
            return;
        }

        var distance = GreatCircleKm(previous.Latitude, previous.Longitude, geo.Latitude!.Value, geo.Longitude!.Value);
        var apart = distance - previous.AccuracyKm - Math.Max(1, geo.AccuracyRadiusKm ?? 1);
        if (apart < options.MinDistanceKm)
        {
            return;
        }

        // At least a minute between logins: clocks and batching are not precise below that.
        // Absolute: with several nodes or a late record, the stored point can be newer than this one.
        var hours = Math.Max(1.0 / 60, Math.Abs((record.Timestamp - previous.At).TotalHours));
        var speed = apart / hours;
        if (speed <= options.MaxSpeedKmh)
        {
            return;
        }

        var evidence = default(Evidence);
        evidence.Add("distanceKm", Math.Round(distance));
        evidence.Add("distanceLessAccuracyKm", Math.Round(apart));
        evidence.Add("hours", Math.Round(Math.Abs((record.Timestamp - previous.At).TotalHours), 2));
        evidence.Add("speedKmh", Math.Round(speed));
        evidence.Add("previousCountry", Observation.UnpackCountry(previous.Country));
        evidence.Add("country", geo.CountryIsoCode);
        context.Hit(SubjectKey.From(SubjectKind.User, record.User), ReasonCodes.ImpossibleTravel, context.Escalate(options.Points, speed, options.MaxSpeedKmh), verdict: true, record.Timestamp, evidence);
    }

    /// <summary>Haversine distance in km.</summary>
    internal static double GreatCircleKm(double lat1, double lon1, double lat2, double lon2)
    {
        const double toRadians = Math.PI / 180;
        var dLat = (lat2 - lat1) * toRadians;
        var dLon = (lon2 - lon1) * toRadians;
        var a = (Math.Sin(dLat / 2) * Math.Sin(dLat / 2)) + (Math.Cos(lat1 * toRadians) * Math.Cos(lat2 * toRadians) * Math.Sin(dLon / 2) * Math.Sin(dLon / 2));
        return 2 * EarthRadiusKm * Math.Asin(Math.Min(1, Math.Sqrt(a)));
    }
}
