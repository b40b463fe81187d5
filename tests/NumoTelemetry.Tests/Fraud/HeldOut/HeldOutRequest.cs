namespace NumoTelemetry.Tests.Fraud.HeldOut;

/// <summary>One request of the held-out traffic, with raw values as a site's log would hold them (a `numo replay` jsonl line).</summary>
internal sealed record HeldOutRequest(DateTimeOffset At, string Ip, string Path, string Scenario, bool Attack)
{
    public string Method { get; init; } = "GET";

    public int Status { get; init; } = 200;

    public string? UserAgent { get; init; }

    public string? Route { get; init; }

    public string? Referer { get; init; }

    /// <summary>The raw visitor cookie value (sent as <c>numo_vid=...</c>), or null.</summary>
    public string? Visitor { get; init; }

    public string? Session { get; init; }

    public string? User { get; init; }

    /// <summary><c>login_succeeded</c>, <c>login_failed</c> or null.</summary>
    public string? Event { get; init; }

    public double DurationMs { get; init; } = 40;

    /// <summary>The phone number of an <c>otp_requested</c> or <c>otp_verified</c> event, as the site received it (E.164 or national).</summary>
    public string? Phone { get; init; }

    /// <summary>Extra request headers (for example client hints), or null.</summary>
    public IReadOnlyList<KeyValuePair<string, string>>? Headers { get; init; }
}
