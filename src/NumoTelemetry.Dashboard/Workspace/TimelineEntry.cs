using NumoTelemetry.Fraud;
using NumoTelemetry.Pseudonymization;
using NumoTelemetry.Records;

namespace NumoTelemetry.Dashboard.Workspace;

/// <summary>
/// One request as a subject's timeline shows it: time, route template, status, User-Agent family, country and AS, app
/// signals, the risk known when it started. Its subjects are kept as pseudonyms (formatted only when read), so one entry is
/// shared by the timelines of the request's IP, prefix, session, visitor, user and AS. No raw value.
/// </summary>
internal sealed class TimelineEntry
{
    public DateTimeOffset At { get; init; }

    public required string Method { get; init; }

    public required string Route { get; init; }

    public int Status { get; init; }

    public required string Browser { get; init; }

    public required string Os { get; init; }

    public string? Bot { get; init; }

    public string? Country { get; init; }

    public long? Asn { get; init; }

    public string? AsnOrganization { get; init; }

    public RequestRisk Risk { get; init; }

    public bool Enforced { get; init; }

    /// <summary>The app signals: kind and (scrubbed) name.</summary>
    public required (SignalKindName Kind, string? Name)[] Signals { get; init; }

    public Pseudonym Ip { get; init; }

    public Pseudonym IpPrefix { get; init; }

    public Pseudonym Session { get; init; }

    public Pseudonym Visitor { get; init; }

    public Pseudonym User { get; init; }

    /// <summary>The carrier-enriched phone number's pseudonym (found by a raw-value lookup only; not a subject of its own).</summary>
    public Pseudonym Phone { get; init; }
}
