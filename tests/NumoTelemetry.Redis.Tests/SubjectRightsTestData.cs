using NumoTelemetry.Pseudonymization;

namespace NumoTelemetry.Redis.Tests;

/// <summary>
/// The people of the subject-rights proofs (canary values that must appear in no output, file, row or key) and the key ring
/// they are pseudonymised under: two keys, the second active for the last 20 days, 7-day fraud windows.
/// </summary>
internal static class SubjectRightsTestData
{
    public const string Email = "jane.canary@example.com";
    public const string Ip = "203.0.113.77";
    public const string OtherIp = "198.51.100.9";

    /// <summary>The <c>NumoTelemetry:Pseudonymization</c> section: two generated keys, the second active since 20 days ago.</summary>
    public static object Pseudonymization() => new
    {
        Keys = new Dictionary<string, string> { ["1"] = KeyRing.GenerateKey(), ["2"] = KeyRing.GenerateKey() },
        KeyActivation = new Dictionary<string, DateTimeOffset> { ["2"] = DateTimeOffset.UtcNow.AddDays(-20) },
        FraudWindow = "7.00:00:00",
    };
}
