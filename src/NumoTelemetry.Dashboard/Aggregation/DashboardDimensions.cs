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

    /// <summary>
    /// Page views by every page-view dimension together (<see cref="CubeAxes"/>), so every list can be filtered by any
    /// of them and by several at once.
    /// </summary>
    public const string Cube = "cube";

    /// <summary>Goal conversions by goal name and the page-view dimensions of the request that reached it.</summary>
    public const string GoalCube = "cube_goal";

    /// <summary>Events by event name and the page-view dimensions of the request that raised it.</summary>
    public const string EventCube = "cube_event";

    /// <summary>Visits ended, by exit page and the page-view dimensions of the visit's last view.</summary>
    public const string ExitCube = "cube_exit";

    /// <summary>Each visit's distinct funnel items so far (pages, goals, events in first-reached order), for ad-hoc funnels.</summary>
    public const string VisitPath = "path_visit";

    /// <summary>Each visitor's distinct funnel items of the UTC day so far, for ad-hoc funnels within a day.</summary>
    public const string DayPath = "path_day";

    // Page-view dimensions.
    public const string Referrer = "referrer";
    public const string UtmSource = "utm_source";
    public const string UtmMedium = "utm_medium";
    public const string UtmCampaign = "utm_campaign";
    public const string Os = "os";
    public const string Language = "language";

    // Analytics dimensions: pages as visited, entry and exit pages per visit, goals, events and funnel steps.
    public const string Page = "page";
    public const string EntryPage = "entry_page";
    public const string ExitPage = "exit_page";
    public const string Goal = "goal";
    public const string Event = "event";
    public const string Funnel = "funnel";

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

    /// <summary>Separates the cube's values in a stored key (and the items of a path).</summary>
    public const char CubeSeparator = '\u001f';

    /// <summary>The value counted when a dimension's distinct-value cap for the day is reached.</summary>
    public const string Other = "(other)";

    /// <summary>The value of a page-view dimension a view does not have (no UTM tag, no visit).</summary>
    public const string None = "(none)";

    /// <summary>Dimensions that live in the cube, in key order.</summary>
    public static readonly string[] CubeAxes =
        [Route, Country, Browser, Device, Referrer, UtmSource, UtmMedium, UtmCampaign, Os, Language, Page, EntryPage];

    /// <summary>The cube axes of the first stored version (four values in a key); keys of that version read the others as <see cref="None"/>.</summary>
    public const int LegacyCubeAxes = 4;

    /// <summary>Dimensions stored as their own cells (request dimensions: they count every request).</summary>
    public static readonly string[] Stored = [Status, Bot, Network, Consent, RiskBand, RiskScore, RiskReason];

    /// <summary>Dimensions that are facts of their own cube (the name axis of <see cref="GoalCube"/>, <see cref="EventCube"/>, <see cref="ExitCube"/>).</summary>
    public static readonly string[] Analytics = [ExitPage, Goal, Event];

    /// <summary>Dimensions a view can be filtered by: the cube axes and the fact names.</summary>
    public static bool IsFilterable(string dimension) => CubeAxis(dimension) >= 0 || Array.IndexOf(Analytics, dimension) >= 0;

    /// <summary>Dimensions whose cells count page views (the others count requests).</summary>
    public static bool CountsPageViews(string dimension) => dimension is Referrer or UtmSource or UtmMedium or UtmCampaign or Os or Language
        or Route or Country or Browser or Device or Cube or Total or Page or EntryPage or ExitPage or Goal or Event;

    /// <summary>Index of a cube axis, or -1.</summary>
    public static int CubeAxis(string dimension) => Array.IndexOf(CubeAxes, dimension);

    /// <summary>Whether the API knows the dimension.</summary>
    public static bool IsKnown(string dimension) =>
        CubeAxis(dimension) >= 0 || Array.IndexOf(Stored, dimension) >= 0 || Array.IndexOf(Analytics, dimension) >= 0;

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
