using NumoTelemetry.Records;

namespace NumoTelemetry.Dashboard.Aggregation;

/// <summary>
/// The dimensions the processor folds records into and what each counts. Page-view dimensions count
/// only page views (successful GETs by clients that are not bots) and their contributors; request
/// dimensions count every request.
/// </summary>
internal static class DashboardDimensions
{
    /// <summary>One cell per bucket: page views, visitors, visits, bounce, duration.</summary>
    public const string Total = "total";

    /// <summary>Page views by route, country, browser and device together, so top lists can filter by any of them.</summary>
    public const string Cube = "cube";

    // Page-view dimensions.
    public const string Referrer = "referrer";
    public const string UtmSource = "utm_source";
    public const string UtmMedium = "utm_medium";
    public const string UtmCampaign = "utm_campaign";
    public const string Os = "os";
    public const string Language = "language";

    // Request dimensions.
    public const string Status = "status";
    public const string Bot = "bot";
    public const string Network = "network";
    public const string Consent = "consent";
    public const string RiskBand = "risk_band";
    public const string RiskScore = "risk_score";
    public const string RiskReason = "risk_reason";

    // The four cube axes (names used by the API and its filters).
    public const string Route = "route";
    public const string Country = "country";
    public const string Browser = "browser";
    public const string Device = "device";

    /// <summary>Separates the cube's four values in a stored key.</summary>
    public const char CubeSeparator = '\u001f';

    /// <summary>The value counted when a dimension's distinct-value cap for the day is reached.</summary>
    public const string Other = "(other)";

    /// <summary>Dimensions that live in the cube, in key order.</summary>
    public static readonly string[] CubeAxes = [Route, Country, Browser, Device];

    /// <summary>Dimensions stored as their own cells.</summary>
    public static readonly string[] Stored =
        [Referrer, UtmSource, UtmMedium, UtmCampaign, Os, Language, Status, Bot, Network, Consent, RiskBand, RiskScore, RiskReason];

    /// <summary>Dimensions whose cells count page views (the others count requests).</summary>
    public static bool CountsPageViews(string dimension) => dimension is Referrer or UtmSource or UtmMedium or UtmCampaign or Os or Language
        or Route or Country or Browser or Device or Cube or Total;

    /// <summary>Index of a cube axis, or -1.</summary>
    public static int CubeAxis(string dimension) => Array.IndexOf(CubeAxes, dimension);

    /// <summary>Whether the API knows the dimension.</summary>
    public static bool IsKnown(string dimension) => CubeAxis(dimension) >= 0 || Array.IndexOf(Stored, dimension) >= 0;

    /// <summary>The risk-score histogram bucket of a score.</summary>
    public static string RiskScoreBucket(double score) => score switch
    {
        <= 0 => "0",
        < 10 => "1-9",
        < 25 => "10-24",
        < 50 => "25-49",
        < 75 => "50-74",
        < 100 => "75-99",
        _ => "100+",
    };

    /// <summary>The risk-score histogram buckets in order.</summary>
    public static readonly string[] RiskScoreBuckets = ["0", "1-9", "10-24", "25-49", "50-74", "75-99", "100+"];

    /// <summary>The HTTP status class of a status code.</summary>
    public static string StatusClass(int status) => status switch
    {
        >= 100 and < 200 => "1xx",
        >= 200 and < 300 => "2xx",
        >= 300 and < 400 => "3xx",
        >= 400 and < 500 => "4xx",
        >= 500 and < 600 => "5xx",
        _ => "other",
    };
}
