using NumoTelemetry.Fraud.Feedback;

namespace NumoTelemetry.Fraud.Detectors;

/// <summary>
/// The detectors the fraud options turn on, in evaluation order, each with its mode (<c>NumoTelemetry:Fraud:Detectors</c>).
/// Built once, at start-up: the engine runs <see cref="Detectors"/> and reads <see cref="Modes"/> by index.
/// </summary>
internal sealed class DetectorSet
{
    /// <summary>
    /// The built-in detectors in evaluation order, each made when its section is enabled. Account takeover last: it reads
    /// the stuffing reasons the detectors above may have just raised.
    /// </summary>
    private static readonly Func<FraudOptions, FraudDetector?>[] s_factories =
    [
        static o => o.Burst.Enabled ? new BurstDetector(o.Burst) : null,
        static o => o.Crawling.Enabled ? new CrawlingDetector(o.Crawling) : null,
        static o => o.Scanner.Enabled ? new ScannerDetector(o.Scanner) : null,
        static o => o.CredentialStuffing.Enabled ? new CredentialStuffingDetector(o.CredentialStuffing) : null,
        static o => o.PasswordSpraying.Enabled ? new PasswordSprayingDetector(o.PasswordSpraying, o.CredentialStuffing) : null,
        static o => o.DistributedStuffing.Enabled ? new DistributedStuffingDetector(o.DistributedStuffing) : null,
        static o => o.AccountBruteForce.Enabled ? new AccountBruteForceDetector(o.AccountBruteForce) : null,
        static o => o.ImpossibleTravel.Enabled ? new ImpossibleTravelDetector(o.ImpossibleTravel) : null,
        static o => o.SessionHijack.Enabled ? new SessionHijackDetector(o.SessionHijack) : null,
        static o => o.AccountsPerDevice.Enabled ? new AccountsPerDeviceDetector(o.AccountsPerDevice) : null,
        static o => o.CookieChurn.Enabled ? new CookieChurnDetector(o.CookieChurn) : null,
        static o => o.RoboticTiming.Enabled ? new RoboticTimingDetector(o.RoboticTiming) : null,
        static o => o.RiskFactors.Enabled ? new NetworkRiskDetector(o.RiskFactors) : null,
        static o => o.OtpPumping.Enabled ? new OtpPumpingDetector(o.OtpPumping) : null,
        static o => o.SiteAnomaly.Enabled ? new SiteAnomalyDetector(o.SiteAnomaly) : null,
        static o => o.UaRotation.Enabled ? new UaRotationDetector(o.UaRotation) : null,
        static o => o.AccountTakeover.Enabled ? new AccountTakeoverDetector(o.AccountTakeover) : null,
    ];

    private DetectorSet(FraudDetector[] detectors, DetectorMode[] modes)
    {
        Detectors = detectors;
        Modes = modes;
    }

    /// <summary>The detectors that run (mode not <see cref="DetectorMode.Off"/>), in evaluation order.</summary>
    public FraudDetector[] Detectors { get; }

    /// <summary>The mode of each of <see cref="Detectors"/>, by index.</summary>
    public DetectorMode[] Modes { get; }

    /// <summary>The detectors that run and their modes, from <paramref name="options"/>.</summary>
    public static DetectorSet Create(FraudOptions options)
    {
        var all = CreateEnabled(options);
        var detectors = new List<FraudDetector>(all.Length);
        var modes = new List<DetectorMode>(all.Length);
        foreach (var detector in all)
        {
            var mode = DetectorCatalog.ConfiguredMode(options, DetectorCatalog.NameOf(detector));
            if (mode != DetectorMode.Off)
            {
                detectors.Add(detector);
                modes.Add(mode);
            }
        }

        return new DetectorSet([.. detectors], [.. modes]);
    }

    /// <summary>Every detector whose options section is enabled, whatever its mode, in evaluation order.</summary>
    public static FraudDetector[] CreateEnabled(FraudOptions options)
    {
        var list = new List<FraudDetector>(s_factories.Length);
        foreach (var factory in s_factories)
        {
            if (factory(options) is { } detector)
            {
                list.Add(detector);
            }
        }

        return [.. list];
    }

    /// <summary>Adds the rules of every detector not in <see cref="DetectorMode.Enforce"/> mode to <paramref name="rules"/>.</summary>
    public void AddUnenforcedRules(ISet<string> rules)
    {
        for (var d = 0; d < Detectors.Length; d++)
        {
            if (Modes[d] != DetectorMode.Enforce)
            {
                foreach (var rule in DetectorCatalog.RulesOf(DetectorCatalog.NameOf(Detectors[d])))
                {
                    rules.Add(rule);
                }
            }
        }
    }
}
