namespace NumoTelemetry.Fraud.Detectors;

/// <summary>The evidence of the login-failure detectors (stuffing, spraying, distributed stuffing): counts, ratio and window.</summary>
internal static class LoginEvidence
{
    /// <summary>The share of logins that failed (0 when there were none).</summary>
    public static double FailureRatio(long failures, long successes) => failures <= 0 ? 0 : (double)failures / (failures + successes);

    public static Evidence Create(long failures, long successes, long accounts, double ratio, TimeSpan window)
    {
        var evidence = default(Evidence);
        evidence.Add("failedLogins", failures);
        evidence.Add("successfulLogins", successes);
        evidence.Add("distinctAccounts", accounts);
        evidence.Add("failureRatio", Math.Round(ratio, 3));
        evidence.Add("windowSeconds", window.TotalSeconds);
        return evidence;
    }
}
