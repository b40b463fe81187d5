namespace NumoTelemetry.Records;

/// <summary>
/// What a request's consent allows. Fraud prevention works at every level; analytics
/// cookies need <see cref="Full"/>.
/// </summary>
public enum ConsentLevel : byte
{
    /// <summary>Fraud prevention only: no analytics visitor id, no visitor cookie; the request still counts in fraud detection.</summary>
    FraudPreventionOnly = 0,

    /// <summary>Anonymous analytics with a cookieless, daily-rotating visitor id; no cookie is set.</summary>
    AnalyticsWithoutCookies = 1,

    /// <summary>Full: anonymous analytics with a first-party visitor cookie.</summary>
    Full = 2,
}
