namespace NumoTelemetry.Fraud;

/// <summary>Cookie churn (reason <c>cookie-churn</c>): one IP presenting a new visitor cookie on nearly every request (a client that drops or forges cookies).</summary>
public sealed class CookieChurnDetectorOptions
{
    /// <summary>Turns the detector on or off.</summary>
    /// <value>Default: <see langword="true"/>.</value>
    public bool Enabled { get; set; } = true;

    /// <summary>Distinct visitor cookies from the IP in the analysis window.</summary>
    /// <value>Default: 30.</value>
    public int MinNewVisitors { get; set; } = 30;

    /// <summary>Distinct visitor cookies per request with a visitor cookie (1 means a new one every time).</summary>
    /// <value>Default: 0.8.</value>
    public double MinRatio { get; set; } = 0.8;

    /// <summary>Risk points of a hit (see <see cref="FraudOptions.AlertScore"/>).</summary>
    /// <value>Default: 50.</value>
    public double Points { get; set; } = 50;
}
