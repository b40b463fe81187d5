using System.Reflection;
using NumoTelemetry.Fraud.Detectors;

namespace NumoTelemetry.Fraud.Feedback;

/// <summary>Detector names (their options sections), the rules they raise, and their effective modes.</summary>
internal static class DetectorCatalog
{
    /// <summary>The rules of the built-in detectors (a detector not listed here learns its rules from its hits).</summary>
    private static readonly Dictionary<string, string[]> s_rules = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Burst"] = [ReasonCodes.Burst],
        ["Crawling"] = [ReasonCodes.Crawling],
        ["Scanner"] = [ReasonCodes.Scanner],
        ["CredentialStuffing"] = [ReasonCodes.CredentialStuffing],
        ["PasswordSpraying"] = [ReasonCodes.PasswordSpraying],
        ["DistributedStuffing"] = [ReasonCodes.DistributedStuffing],
        ["AccountBruteForce"] = [ReasonCodes.AccountBruteForce],
        ["ImpossibleTravel"] = [ReasonCodes.ImpossibleTravel],
        ["SessionHijack"] = [ReasonCodes.SessionHijack],
        ["AccountsPerDevice"] = [ReasonCodes.AccountsPerDevice],
        ["CookieChurn"] = [ReasonCodes.CookieChurn],
        ["RoboticTiming"] = [ReasonCodes.RoboticTiming],
        ["RiskFactors"] = [ReasonCodes.FakeCrawler, ReasonCodes.HostingNetwork, ReasonCodes.AnonymousNetwork, ReasonCodes.TorExit],
        ["AccountTakeover"] = [ReasonCodes.AtoAfterStuffing, ReasonCodes.AtoNewContext, ReasonCodes.NewDevice, ReasonCodes.NewCountry, ReasonCodes.NewAsn],
    };

    /// <summary>The name of a detector: its options section under <c>NumoTelemetry:Fraud</c>.</summary>
    public static string NameOf(FraudDetector detector)
    {
        if (detector is NetworkRiskDetector)
        {
            return "RiskFactors";
        }

        var name = detector.GetType().Name;
        return name.EndsWith("Detector", StringComparison.Ordinal) ? name[..^"Detector".Length] : name;
    }

    /// <summary>The known rules of a detector (empty when they are learned from its hits).</summary>
    public static string[] RulesOf(string name) => s_rules.TryGetValue(name, out var rules) ? rules : [];

    /// <summary>
    /// The names a <c>NumoTelemetry:Fraud:Detectors</c> entry may use: every detector options section of <see cref="FraudOptions"/>
    /// (a property with a <c>bool Enabled</c>).
    /// </summary>
    public static IReadOnlyList<string> Names()
    {
        var names = new List<string>();
        foreach (var property in typeof(FraudOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.PropertyType.IsClass && property.PropertyType.GetProperty("Enabled")?.PropertyType == typeof(bool))
            {
                names.Add(property.Name);
            }
        }

        return names;
    }

    /// <summary>The configured mode of a detector by name (<see cref="DetectorMode.Enforce"/> when not configured).</summary>
    public static DetectorMode ConfiguredMode(FraudOptions options, string name) =>
        options.Detectors.TryGetValue(name, out var detector) && detector is not null ? detector.Mode : DetectorMode.Enforce;
}
