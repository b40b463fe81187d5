using NumoTelemetry.Alerts;
using NumoTelemetry.Capture;
using NumoTelemetry.Fraud;
using NumoTelemetry.Metrics;
using NumoTelemetry.Pipeline;
using NumoTelemetry.Privacy;
using NumoTelemetry.Pseudonymization;
using NumoTelemetry.RequestLog;
using NumoTelemetry.UserAgents;

namespace NumoTelemetry;

/// <summary>
/// Options of NumoTelemetry, bound from the <c>NumoTelemetry</c> configuration section.
/// Every option can be set from appsettings.json; the whole tree is validated at start-up.
/// </summary>
public sealed class NumoTelemetryOptions
{
    /// <summary>The configuration section name used in the documentation and samples.</summary>
    public const string SectionName = "NumoTelemetry";

    /// <summary>Turns the middleware on or off (off: requests pass straight through).</summary>
    /// <value>Default: <see langword="true"/>.</value>
    public bool Enabled { get; set; } = true;

    /// <summary>Keys and pseudonym lifetimes.</summary>
    public PseudonymizationOptions Pseudonymization { get; set; } = new();

    /// <summary>Client IP resolution behind trusted proxies.</summary>
    public ClientIpOptions ClientIp { get; set; } = new();

    /// <summary>What is captured per request.</summary>
    public CaptureOptions Capture { get; set; } = new();

    /// <summary>Consent signals and levels.</summary>
    public ConsentOptions Consent { get; set; } = new();

    /// <summary>User-Agent parsing.</summary>
    public UserAgentParserOptions UserAgents { get; set; } = new();

    /// <summary>The background pipeline.</summary>
    public PipelineOptions Pipeline { get; set; } = new();

    /// <summary>The pseudonymised request log.</summary>
    public RequestLogOptions RequestLog { get; set; } = new();

    /// <summary>OpenTelemetry metrics.</summary>
    public MetricsOptions Metrics { get; set; } = new();

    /// <summary>Fraud detection.</summary>
    public FraudOptions Fraud { get; set; } = new();

    /// <summary>Alert delivery to the fraud team.</summary>
    public AlertOptions Alerts { get; set; } = new();

    /// <summary>In-request enforcement on the fraud risk (off by default: monitor mode).</summary>
    public EnforcementOptions Enforcement { get; set; } = new();

    /// <summary>Subject rights: what account closure erases, and the legal hold.</summary>
    public SubjectRights.SubjectRightsOptions SubjectRights { get; set; } = new();
}
