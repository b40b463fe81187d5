namespace NumoTelemetry.Dashboard.Query.Models;

/// <summary>The fraud overview: requests by risk band, score histogram and top reason; alerts by rule and severity; the latest alerts.</summary>
internal sealed record FraudOverview(TopList Bands, TopList Scores, TopList Reasons, IReadOnlyList<AlertCount> AlertsByRule, IReadOnlyList<AlertRow> Latest);
