namespace NumoTelemetry.Alerts;

/// <summary>
/// The attribute names of alert log records (<c>ILogger</c> category <c>NumoTelemetry.Alerts</c>, event id 1000 <c>FraudAlert</c>):
/// stable, so a SIEM can map them once. Exported as OpenTelemetry log record attributes by the OpenTelemetry logging provider.
/// </summary>
public static class AlertLogAttributes
{
    /// <summary>The alert group's id (string).</summary>
    public const string Id = "numo.alert.id";

    /// <summary>The rule, a reason code (string).</summary>
    public const string Rule = "numo.alert.rule";

    /// <summary><c>alert</c> or <c>page</c> (string).</summary>
    public const string Severity = "numo.alert.severity";

    /// <summary>The subject's risk score (double).</summary>
    public const string Score = "numo.alert.score";

    /// <summary><c>ip</c>, <c>ip-prefix</c>, <c>session</c>, <c>visitor</c>, <c>user</c> or <c>asn</c> (string).</summary>
    public const string SubjectKind = "numo.alert.subject_kind";

    /// <summary>The subject's fraud pseudonym, or the AS number (string).</summary>
    public const string Subject = "numo.alert.subject";

    /// <summary>Hits in the group so far (long).</summary>
    public const string Count = "numo.alert.count";

    /// <summary>The first hit, ISO 8601 UTC (string).</summary>
    public const string FirstSeen = "numo.alert.first_seen";

    /// <summary>The latest hit, ISO 8601 UTC (string).</summary>
    public const string LastSeen = "numo.alert.last_seen";

    /// <summary>The notification number within the group (int).</summary>
    public const string Sequence = "numo.alert.sequence";

    /// <summary>The reason codes behind the score, largest first (string array).</summary>
    public const string Reasons = "numo.alert.reasons";

    /// <summary>The alert in the fraud workspace, when <c>NumoTelemetry:Alerts:WorkspaceUrl</c> is set (string).</summary>
    public const string Url = "numo.alert.url";

    /// <summary>The prefix of one evidence item's attribute: <c>numo.alert.evidence.failedLogins</c> (double or string).</summary>
    public const string EvidencePrefix = "numo.alert.evidence.";

    /// <summary>The alert's JSON, as the webhook body (string).</summary>
    public const string Json = "numo.alert.json";
}
